import { UsageError } from './args.js';
import type { Command } from './command.js';
import { commands } from './commands.js';

function topHelp(list: Command[]): string {
  const width = Math.max(...list.map((c) => c.name.length)) + 2;
  return [
    'usage: synack COMMAND [options]   (synack COMMAND --help for its options)',
    '',
    'synack: a TCP/IP stack in TypeScript that behaves like Linux, on a simulated network you can see.',
    '',
    'commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const sub = name === 'help' ? rest[0] : undefined;
    const cmd = sub === undefined ? undefined : commands.find((c) => c.name === sub);
    if (cmd) return cmd.run(['--help']);
    console.log(topHelp(commands));
    return name === undefined ? 2 : 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`synack: unknown command "${name}"\n\n${topHelp(commands)}`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`synack ${name}: ${err.message} (see synack ${name} --help)`);
      return 2;
    }
    throw err;
  }
}

/** Entry point for bin/synack.js: runs the command line and sets the exit code. */
export function runCli(argv: string[] = process.argv.slice(2)): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 1;
    },
  );
}
