/** Every mazo subcommand, in the order `mazo --help` lists them. */
import type { Command } from "./command.ts";
import { infoCommand } from "./cmd_info.ts";
import { selfcheckCommand } from "./cmd_selfcheck.ts";

export const COMMANDS: readonly Command[] = [infoCommand, selfcheckCommand];
