// The CLI's help is accurate: `mazo --help` lists every subcommand in order; each subcommand's --help
// shows every option it accepts (with its choices), and its usage line names only options that exist;
// unknown commands and flags fail listing the valid ones. Needs no GPU.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { COMMANDS } from "../../src/cli/commands.ts";
import { allOptions, commandHelp, parseCommandArgs } from "../../src/cli/parse.ts";
import { UsageError } from "../../src/cli/command.ts";
import { cli } from "./spawn_cli.ts";

const EXPECTED = ["train", "eval", "experiment", "generate", "tokenize", "convert", "replay", "swarm", "bench", "info", "selfcheck"];

const top = suite("mazo --help");
top("lists every subcommand, in order, each with its summary", () => {
  const r = cli(["--help"]);
  assert.is(r.status, 0, r.out);
  const listed = r.stdout.split("\n").map((l) => /^ {2}(\S+) +\S/.exec(l)?.[1]).filter((n): n is string => n !== undefined);
  assert.equal(listed, EXPECTED);
  assert.equal(COMMANDS.map((c) => c.name), EXPECTED);
});
top("an unknown command fails with exit 2 and lists the valid commands", () => {
  const r = cli(["trian"]);
  assert.is(r.status, 2, r.out);
  assert.match(r.out, `valid commands: ${EXPECTED.join(", ")}`);
});
top.run();

const sub = suite("mazo <command> --help");
for (const cmd of COMMANDS) {
  sub(`${cmd.name}: help shows every option and its choices; the usage line names only real options`, () => {
    const help = commandHelp(cmd);
    const specs = allOptions(cmd);
    for (const [name, spec] of Object.entries(specs)) {
      assert.ok(help.includes(`--${name}`), `mazo ${cmd.name} --help does not show --${name}`);
      for (const c of spec.choices ?? []) assert.ok(help.includes(c), `mazo ${cmd.name} --help does not show choice ${c} of --${name}`);
    }
    for (const m of cmd.usage.matchAll(/--([a-z][a-z0-9-]*)/g)) assert.ok(specs[m[1]!] !== undefined, `mazo ${cmd.name}'s usage names --${m[1]}, which it does not accept`);
  });
}
sub("replay, eval and bench --help print the help and exit 0 through the CLI", () => {
  for (const name of ["replay", "eval", "bench"]) {
    const r = cli([name, "--help"]);
    assert.is(r.status, 0, r.out);
    assert.is(r.stdout.trimEnd(), commandHelp(COMMANDS.find((c) => c.name === name)!));
  }
});
sub("an unknown flag is a UsageError listing the command's valid options", () => {
  const evalCmd = COMMANDS.find((c) => c.name === "eval")!;
  try {
    parseCommandArgs(evalCmd, ["--rnu", "x"]);
    assert.unreachable("parseCommandArgs accepted --rnu");
  } catch (e) {
    assert.instance(e, UsageError);
    assert.match((e as Error).message, /valid options for mazo eval: .*--run.*--out/);
  }
  const r = cli(["bench", "--repz", "3"]);
  assert.is(r.status, 2, r.out);
  assert.match(r.out, "valid options for mazo bench");
});
sub("a bad choice names the valid ones", () => {
  const bench = COMMANDS.find((c) => c.name === "bench")!;
  assert.throws(() => parseCommandArgs(bench, ["--backend", "cuda"]), (e: Error) => e instanceof UsageError && /--backend must be one of auto/.test(e.message));
});
sub.run();
