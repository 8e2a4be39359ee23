// The lock entries of xs-async's runtime dependencies (and the app's typescript and @types/node), from this
// repository's package-lock.json: `xs-async new` writes them into the new app's package-lock.json, so
// `npm install` takes exactly the versions xs-async is tested with, and works offline from npm's cache
// (a lockfile names each tarball and its integrity; without one npm must ask the registry for metadata).
// `npm pack` runs this (prepack) and ships the result as starter/deps-lock.json, since npm never packs
// package-lock.json.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP_DEV = ['typescript', '@types/node'];

/** { "node_modules/x": entry } for the runtime closure plus APP_DEV and their dependencies. */
export function dependencyLock() {
  const shipped = path.join(ROOT, 'starter', 'deps-lock.json');
  const lockFile = path.join(ROOT, 'package-lock.json');
  if (!fs.existsSync(lockFile)) return JSON.parse(fs.readFileSync(shipped, 'utf8'));
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'));
  const all = lock.packages;
  const out = {};
  const add = (key) => {
    if (out[key] !== undefined || all[key] === undefined) return;
    const { dev, devOptional, peer, ...entry } = all[key];
    out[key] = entry;
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      // node's lookup: nested under this package first, then up to the top
      let base = key;
      for (;;) {
        const k = `${base}/node_modules/${dep}`;
        if (all[k] !== undefined) { add(k); break; }
        const i = base.lastIndexOf('/node_modules/');
        if (i < 0) { add(`node_modules/${dep}`); break; }
        base = base.slice(0, i);
      }
    }
  };
  for (const name of [...Object.keys(all[''].dependencies ?? {}), ...APP_DEV]) add(`node_modules/${name}`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(path.join(ROOT, 'starter', 'deps-lock.json'), JSON.stringify(dependencyLock(), null, 2) + '\n');
}
