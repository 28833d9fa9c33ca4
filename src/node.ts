// Deno and Node only (`mazo/node`, dist/node.js): the parts of mazo that use node:fs directly, kept out
// of the browser-safe main entry. A run folder sink, writing a Hugging Face folder, and streaming a
// model folder to the GPU without holding it on the host. This file only re-exports.
export { folderSink } from "./io/folder_sink.ts";
export { openModel, uploadModel, writeHfFolder } from "./model/load.ts";
export type { ModelFiles } from "./model/load.ts";
