// `camfleet-agent run SITE.yaml`: the long-running agent. SIGTERM/SIGINT stop it cleanly (outbox kept);
// SIGHUP (or cmd/reload from the server) reloads the config — an invalid new config is reported, problem by
// problem, and the running one kept; queued telemetry stays queued either way.
import { loadSiteConfig, ConfigError } from '../config/index.ts';
import { Agent } from '../runtime/agent.ts';
import { redact } from '@camfleet/shared';

export async function runCommand(args: string[]): Promise<number> {
  const file = args[0];
  if (!file || args.length > 1) {
    console.error('usage: camfleet-agent run SITE.yaml');
    return 2;
  }
  let config;
  try {
    config = await loadSiteConfig(file);
  } catch (err) {
    printConfigError(err);
    return 1;
  }
  const agent = new Agent(config, { reloadConfig: () => loadSiteConfig(file) });
  agent.start();
  agent.log(`site ${config.site.id}: polling ${config.devices.length} devices every ${config.poll.intervalS} s`);
  return await new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      agent.log(`${signal}: stopping`);
      agent.stop().then(() => resolve(0), () => resolve(1));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    let reloading = Promise.resolve();
    process.on('SIGHUP', () => {
      // One reload at a time, in the order the signals came.
      reloading = reloading.then(() =>
        loadSiteConfig(file).then(
          (next) => agent.reload(next),
          (err: unknown) => {
            agent.log('SIGHUP: the new config is invalid; keeping the running one');
            printConfigError(err);
          },
        ),
      ).catch((err: unknown) => agent.log(`SIGHUP: reload failed: ${err instanceof Error ? err.message : String(err)}`));
    });
  });
}

function printConfigError(err: unknown): void {
  if (err instanceof ConfigError) {
    for (const line of err.lines()) console.error(line);
  } else {
    console.error(redact(`camfleet-agent: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`));
  }
}
