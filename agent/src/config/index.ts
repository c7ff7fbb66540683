// The agent's site config: YAML format documented by agent/examples/site.yaml.
export { checkSiteConfig, type CheckResult } from './check.ts';
export { loadSiteConfig } from './load.ts';
export { toInventory } from './inventory.ts';
export { ConfigError, formatProblem, type Problem } from './problems.ts';
export type { AgentDevice, MqttSettings, OnvifSettings, PollSettings, SiteConfig } from './types.ts';
