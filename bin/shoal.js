#!/usr/bin/env node
// The `shoal` command. The compiled code lives in dist/ (built by `npm install`).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2))).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/src/cli')) {
    console.error('shoal: not built yet; run `npm install` (or `npm run build`) in the package directory');
  } else {
    console.error(err);
  }
  process.exit(1);
});
