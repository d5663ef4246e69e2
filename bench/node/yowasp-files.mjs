// Writes out the files a YoWASP package gives its WASI module (for
// big-module.sh: yosys's share/ directory, techmap.v and the cell libraries
// its `synth` reads at /share). A YoWASP package keeps them in
// gen/resources-NAME.js as `filesystem`, a tree of objects whose leaves are
// the file's text, its bytes, or the URL of a file beside it; its JavaScript
// runtime mounts that tree at the guest's `/`.
//   node yowasp-files.mjs PACKAGE/gen/resources-NAME.js OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [resources, out] = process.argv.slice(2);
if (!resources || !out) {
  process.stderr.write('usage: node yowasp-files.mjs PACKAGE/gen/resources-NAME.js OUT_DIR\n');
  process.exit(2);
}
const { filesystem } = await import(pathToFileURL(path.resolve(resources)).href);

function write(dir, tree) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, leaf] of Object.entries(tree)) {
    const to = path.join(dir, name);
    if (typeof leaf === 'string' || leaf instanceof Uint8Array) fs.writeFileSync(to, leaf);
    else if (leaf instanceof URL) fs.copyFileSync(fileURLToPath(leaf), to);
    else write(to, leaf);
  }
}
write(out, filesystem);
