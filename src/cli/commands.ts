/** Every mazo subcommand, in the order `mazo --help` lists them. */
import type { Command } from "./command.ts";
import { benchCommand } from "./cmd_bench.ts";
import { convertCommand } from "./cmd_convert.ts";
import { evalCommand } from "./cmd_eval.ts";
import { experimentCommand } from "./cmd_experiment.ts";
import { generateCommand } from "./cmd_generate.ts";
import { infoCommand } from "./cmd_info.ts";
import { replayCommand } from "./cmd_replay.ts";
import { selfcheckCommand } from "./cmd_selfcheck.ts";
import { swarmCommand } from "./cmd_swarm.ts";
import { tokenizeCmd } from "./cmd_tokenize.ts";
import { trainCommand } from "./cmd_train.ts";

export const COMMANDS: readonly Command[] = [
  trainCommand,
  evalCommand,
  experimentCommand,
  generateCommand,
  tokenizeCmd,
  convertCommand,
  replayCommand,
  swarmCommand,
  benchCommand,
  infoCommand,
  selfcheckCommand,
];
