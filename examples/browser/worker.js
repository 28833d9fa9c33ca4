// The training worker: receives one DemoRequest (src/browser/protocol.ts) and streams DemoEvents back.
// All GPU work happens here, so the page stays responsive. runDemo (src/browser/train_demo.ts) trains
// with the MaZO trainer (calibration, masks, ZoTrainer) or, with method "mezo", full-parameter MeZO.
import { runDemo } from "../../dist/mazo.js";

self.onmessage = async (ev) => {
  try {
    await runDemo(ev.data, (e) => self.postMessage(e));
  } catch {
    // runDemo has already sent the "error" event.
  }
};
