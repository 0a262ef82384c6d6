/**
 * What the pages load besides themselves, all served by the daemon (no CDN, no web font): the style
 * sheet and a few lines of glue written here, htmx with its server-sent-events extension, and
 * svg-pan-zoom, from the installed packages. Each is served with a content hash in its URL and cached
 * for a year.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const CSS = `
:root{--fg:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--card:#fff;--red:#b91c1c;--amber:#b45309;--blue:#1d4ed8;--green:#15803d}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
a{color:var(--blue)}
header.top{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;padding:.5rem 1rem;background:#24292f;color:#fff}
header.top a{color:#fff;text-decoration:none;padding:.25rem .5rem;border-radius:4px}
header.top a[aria-current=page]{background:#57606a}
header.top .brand{font-weight:700;margin-right:.5rem}
header.top form{margin-left:auto}
header.top button{background:none;border:1px solid #8c959f;color:#fff;border-radius:4px;padding:.2rem .6rem;cursor:pointer}
main{padding:1rem}
h1{font-size:1.3rem;margin:.2rem 0 .8rem}
h2{font-size:1.05rem;margin:1.2rem 0 .5rem}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:1rem}
.filters .field{display:flex;flex-direction:column}
.filters label{font-size:.8rem;color:var(--muted)}
.filters select,.filters input{font:inherit;padding:.25rem;border:1px solid var(--line);border-radius:4px;background:#fff;min-width:8rem}
.filters button,.btn{font:inherit;padding:.3rem .8rem;border-radius:4px;border:1px solid #1f883d;background:#1f883d;color:#fff;cursor:pointer}
.count{color:var(--muted)}
.lane{margin-bottom:1.2rem}
.lane>h2{margin:.2rem 0 .4rem}
.columns{display:grid;grid-template-columns:repeat(5,minmax(200px,1fr));gap:.6rem;overflow-x:auto}
.column{background:#eaeef2;border-radius:6px;padding:.4rem;min-width:0}
.column>h3{font-size:.85rem;margin:.1rem .2rem .4rem;display:flex;justify-content:space-between}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.45rem .55rem;margin-bottom:.45rem}
.card .title{font-weight:600;display:block;color:var(--fg);text-decoration:none;overflow-wrap:anywhere}
.card .title:hover{text-decoration:underline}
.meta{display:flex;flex-wrap:wrap;gap:.2rem .6rem;font-size:.8rem;color:var(--muted);margin-top:.25rem}
.owner-none,.owner-shared,.owner-team,.overdue{color:var(--red);font-weight:600}
.owner-account{font-style:italic}
.badges{display:flex;flex-wrap:wrap;gap:.25rem;margin-top:.3rem}
.badge{font-size:.72rem;border-radius:10px;padding:0 .45rem;border:1px solid;white-space:nowrap}
.sev-critical{color:#fff;background:var(--red);border-color:var(--red)}
.sev-warning{color:#7c2d12;background:#ffedd5;border-color:#fdba74}
.sev-info{color:#1e3a8a;background:#dbeafe;border-color:#93c5fd}
.more{font-size:.8rem}
.graphbox{background:#fff;border:1px solid var(--line);border-radius:6px;height:70vh;min-height:320px;overflow:hidden;touch-action:none}
.graphbox svg{width:100%;height:100%;display:block}
svg.graph .edge{fill:none;stroke:#8c959f;stroke-width:1.4}
svg.graph .edge.subtask{stroke-dasharray:4 3}
svg.graph .edge.chain{stroke:var(--red);stroke-width:3}
svg.graph .node rect{stroke:#8c959f;stroke-width:1}
svg.graph .node.risk-overdue rect{stroke:var(--red);stroke-width:3}
svg.graph .node.risk-at-risk rect{stroke:#d97706;stroke-width:3}
svg.graph .node.on-chain rect{filter:drop-shadow(0 0 3px rgba(185,28,28,.6))}
svg.graph .node.focus rect{stroke:var(--blue);stroke-width:3}
svg.graph .node.cycle rect{stroke-dasharray:6 3;stroke:var(--red)}
svg.graph text{font:12px system-ui,sans-serif;fill:#1f2328}
svg.graph text.n1{font-weight:700;font-size:12px}
svg.graph text.n3{fill:#57606a;font-size:11px}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1rem;font-size:.8rem;color:var(--muted);margin:.5rem 0}
.legend span::before{content:"";display:inline-block;width:.9rem;height:.6rem;margin-right:.3rem;vertical-align:middle;border:2px solid #8c959f}
.legend .l-overdue::before{border-color:var(--red)} .legend .l-risk::before{border-color:#d97706}
.legend .l-chain::before{border:0;border-top:3px solid var(--red);height:0} .legend .l-cycle::before{border-style:dashed;border-color:var(--red)}
section.panel{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.6rem .9rem;margin-bottom:1rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{font-size:.8rem;color:var(--muted)}
.tablewrap{overflow-x:auto}
ul.plain{list-style:none;padding:0;margin:0}
ul.plain li{padding:.15rem 0}
.actor{font-size:.72rem;border-radius:3px;padding:0 .3rem;background:#eaeef2}
.actor-human{background:#dcfce7} .actor-bot{background:#fef3c7} .actor-taskwire{background:#dbeafe}
pre.yaml{background:#f6f8fa;border:1px solid var(--line);padding:.6rem;overflow-x:auto}
.signin{max-width:24rem;margin:10vh auto;background:#fff;border:1px solid var(--line);border-radius:8px;padding:1.2rem}
.signin label{display:block;margin:.6rem 0 .2rem}
.signin input{width:100%;font:inherit;padding:.35rem;border:1px solid var(--line);border-radius:4px}
.error{color:var(--red)}
.ok{color:var(--green)}
.live{font-size:.75rem;color:var(--muted)}
@media (max-width:760px){.columns{grid-template-columns:1fr}.graphbox{height:60vh}main{padding:.6rem}}
`;

/** Pan and zoom for the graph; re-attached when htmx swaps the page in. */
export const GLUE = `(function(){
function attach(root){(root||document).querySelectorAll('svg.graph').forEach(function(svg){
if(svg.dataset.pz||typeof svgPanZoom!=='function')return;svg.dataset.pz='1';
var pz=svgPanZoom(svg,{viewportSelector:'.viewport',zoomEnabled:true,controlIconsEnabled:true,fit:true,center:true,minZoom:0.2,maxZoom:8});
if(pz.getZoom()>1.2){pz.zoom(1.2);pz.center();}});}
document.addEventListener('DOMContentLoaded',function(){attach();});
document.addEventListener('htmx:afterSettle',function(e){attach(e.target);});
})();`;

interface Asset {
  readonly body: string | Buffer;
  readonly type: string;
  readonly path: string;
}

const fromPackage = (spec: string) => readFileSync(require.resolve(spec));

function asset(name: string, body: string | Buffer, type: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const dot = name.lastIndexOf('.');
  return { body, type, path: `/ui/assets/${name.slice(0, dot)}.${hash}${name.slice(dot)}` };
}

let cached: Record<'css' | 'glue' | 'htmx' | 'sse' | 'panzoom', Asset> | null = null;

/** The assets, read once. */
export function assets(): Record<'css' | 'glue' | 'htmx' | 'sse' | 'panzoom', Asset> {
  cached ??= {
    css: asset('taskwire.css', CSS, 'text/css; charset=utf-8'),
    glue: asset('taskwire.js', GLUE, 'text/javascript; charset=utf-8'),
    htmx: asset('htmx.js', fromPackage('htmx.org/dist/htmx.min.js'), 'text/javascript; charset=utf-8'),
    sse: asset('htmx-sse.js', fromPackage('htmx-ext-sse/dist/sse.min.js'), 'text/javascript; charset=utf-8'),
    panzoom: asset('svg-pan-zoom.js', fromPackage('svg-pan-zoom/dist/svg-pan-zoom.min.js'), 'text/javascript; charset=utf-8'),
  };
  return cached;
}
