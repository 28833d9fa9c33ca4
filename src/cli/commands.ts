/** Every mazo subcommand, in the order `mazo --help` lists them. */
import type { Command } from "./command.ts";
import { convertCommand } from "./cmd_convert.ts";
import { generateCommand } from "./cmd_generate.ts";
import { infoCommand } from "./cmd_info.ts";
import { replayCommand } from "./cmd_replay.ts";
import { selfcheckCommand } from "./cmd_selfcheck.ts";
import { tokenizeCmd } from "./cmd_tokenize.ts";
import { trainCommand } from "./cmd_train.ts";

export const COMMANDS: readonly Command[] = [trainCommand, replayCommand, generateCommand, tokenizeCmd, convertCommand, infoCommand, selfcheckCommand];
