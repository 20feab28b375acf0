/** A CLI command: parses its own arguments and returns an exit code. */
export interface Command {
  name: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}
