/** Every mazo subcommand, in the order `mazo --help` lists them. */
import type { Command } from "./command.ts";
import { convertCommand } from "./cmd_convert.ts";
import { generateCommand } from "./cmd_generate.ts";
import { infoCommand } from "./cmd_info.ts";
import { selfcheckCommand } from "./cmd_selfcheck.ts";
import { tokenizeCmd } from "./cmd_tokenize.ts";

export const COMMANDS: readonly Command[] = [generateCommand, tokenizeCmd, convertCommand, infoCommand, selfcheckCommand];
