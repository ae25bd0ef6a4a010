// `make setup` runs `npm ci && node build.mjs`: the bundle, the CSS and the BPMN font into webui/static/studio/
// (git-ignored), so the studio page loads everything from this site (no CDN; CSP script-src/style-src 'self').
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';

const out = '../../static/studio';

// Under `style-src 'self'` the browser drops (and reports) style="" attributes in markup strings. The only
// ones are in these files; they are taken out here and csp-fixes.css sets the same declarations. A file
// without them fails the build, so an upgrade that moves them gets noticed.
const MARKUP_STYLES = /(bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js|AlignElementsIcons\.js|DistributeElementsIcons\.js)$/;
const noMarkupStyles = {
  name: 'no-markup-styles',
  setup(build) {
    build.onLoad({ filter: MARKUP_STYLES }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const contents = source.replace(/ style="[^"]*"/g, '');
      if (contents === source) throw new Error(`${path}: no style="" attribute left to move into csp-fixes.css`);
      return { contents, loader: 'js' };
    });
  }
};

await esbuild.build({
  entryPoints: [ 'src/app.js' ], plugins: [ noMarkupStyles ],
  bundle: true, minify: true, sourcemap: true, format: 'iife', target: 'es2020',
  outfile: `${out}/studio.js`, legalComments: 'linked', logLevel: 'warning'
});
mkdirSync(`${out}/vendor`, { recursive: true });
const copy = [
  [ 'node_modules/diagram-js/assets/diagram-js.css', 'vendor/diagram-js.css' ],
  [ 'node_modules/bpmn-js/dist/assets/bpmn-js.css', 'vendor/bpmn-js.css' ],
  [ 'node_modules/bpmn-js/dist/assets/bpmn-font', 'vendor/bpmn-font' ],
  [ 'node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css', 'vendor/properties-panel.css' ],
  [ 'studio.css', 'studio.css' ],
  [ 'csp-fixes.css', 'csp-fixes.css' ]
];
for (const [ from, to ] of copy) cpSync(from, `${out}/${to}`, { recursive: true });
console.log('Studio gebaut: webui/static/studio/');
