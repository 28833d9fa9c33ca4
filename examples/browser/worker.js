// The training worker: serveFineTune (src/browser/worker_serve.ts) answers the page's "start" request
// with fineTune (src/train/fine_tune.ts) into a memory sink, forwards its events, aborts on "stop", and
// sends the run's files back in a "finished" message. All GPU work happens here; the page stays responsive.
import { serveFineTune } from "../../dist/mazo.js";

serveFineTune(self);
