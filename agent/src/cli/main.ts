// camfleet-agent COMMAND … — one map of commands, each a module with one job.
import { checkCommand } from './check.ts';
import { runCommand } from './run.ts';
import { redact } from '@camfleet/shared';

const COMMANDS: Record<string, { usage: string; run: (args: string[]) => Promise<number> }> = {
  run: { usage: 'run SITE.yaml            poll the site and publish telemetry', run: runCommand },
  check: { usage: 'check SITE.yaml          validate a site config without contacting any device', run: checkCommand },
  analyze: { usage: 'analyze --reference REF.jpg FRAME.jpg [--night]   compare a frame with a reference of the same camera', run: async (args) => (await import('./analyze.ts')).analyzeCommand(args) },
};

function usage(): string {
  return ['usage: camfleet-agent COMMAND [ARGS]', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`camfleet-agent: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    console.error(redact(`camfleet-agent ${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`));
    return 1;
  }
}
