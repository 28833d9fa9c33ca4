// The default data folder is found from the module's location, like task data (issue 14: `npx mazo`
// from a subfolder or /tmp used to look for cwd/../shared/data); MAZO_DATA overrides it.
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dataDir } from "../../src/io/files.ts";

const s = suite("dataDir()");
s("is the same from the repo root and from /tmp, and holds stories260K", () => {
  const here = process.cwd();
  const env = process.env.MAZO_DATA;
  delete process.env.MAZO_DATA;
  try {
    const fromRoot = dataDir();
    process.chdir(tmpdir());
    const fromTmp = dataDir();
    assert.is(fromTmp, fromRoot);
    assert.is(fromRoot, resolve(here, "..", "shared", "data"));
    assert.ok(existsSync(join(fromTmp, "stories260K", "stories260K.bin")));
    process.env.MAZO_DATA = "/some/where";
    assert.is(dataDir(), "/some/where");
  } finally {
    process.chdir(here);
    if (env === undefined) delete process.env.MAZO_DATA;
    else process.env.MAZO_DATA = env;
  }
});
s.run();
