/**
 * The stylesheet of the HTML report: light and dark (screen only, so print is always light), print rules,
 * and no external resources (system fonts, no `url()`). Colours are variables so both schemes share rules.
 */
export const REPORT_STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;--hover:#eaeef2;--link:#0a5bbd;
--c-bg:#a40e26;--c-fg:#fff;--h-bg:#d4471f;--h-fg:#fff;--m-bg:#f5c542;--m-fg:#3a2a00;--l-bg:#d6e6ff;--l-fg:#0b3d91;--i-bg:#e8eaed;--i-fg:#3d444d;
--documented-bg:#dafbe1;--documented-fg:#116329;--shadow-bg:#fff1c2;--shadow-fg:#6b4b00;--zombie-bg:#ffdcdc;--zombie-fg:#9b1c1c;
--orphan-bg:#efe5ff;--orphan-fg:#5a32a3;--new-bg:#ddf4ff;--new-fg:#0a4b8c}
@media screen and (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--panel:#151b23;--hover:#1c2430;--link:#6cb6ff;
--c-bg:#ff5c7a;--c-fg:#1f0008;--h-bg:#ff8a5c;--h-fg:#2a0d00;--m-bg:#e3b341;--m-fg:#2a1f00;--l-bg:#1f3a5f;--l-fg:#a5cdff;--i-bg:#2d333b;--i-fg:#c9d1d9;
--documented-bg:#12361f;--documented-fg:#7ee2a0;--shadow-bg:#3b2e05;--shadow-fg:#f2cc60;--zombie-bg:#4a1518;--zombie-fg:#ff9592;
--orphan-bg:#2e2052;--orphan-fg:#d2b8ff;--new-bg:#0c2d4a;--new-fg:#8cc8ff}}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
body{margin:0 auto;max-width:1680px;padding:1.5rem 2rem 3rem}
h1{font-size:1.6rem;margin:0}
h2{font-size:1.25rem;margin:2.2rem 0 .8rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:1.4rem 0 .5rem}
h4{margin:0 0 .35rem;font-size:.78rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
a{color:var(--link)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.92em}
.muted,.empty{color:var(--muted)}
nav{margin:.4rem 0 0}nav a{margin-right:1.2rem}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1.2rem;margin:.9rem 0 0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;overflow-wrap:anywhere}
dl.kv details summary{cursor:pointer;color:var(--link)}
.cards{display:flex;flex-wrap:wrap;gap:1.5rem;margin-top:1.4rem}
.cards section>div{display:flex;flex-wrap:wrap;gap:.6rem}
.card{border:1px solid var(--line);border-radius:8px;padding:.5rem .9rem;min-width:7rem;background:var(--panel)}
.card b{display:block;font-size:1.55rem;font-variant-numeric:tabular-nums;line-height:1.2}
.card.zero{opacity:.6}
.badge{display:inline-block;padding:0 .5em;border-radius:999px;font-size:.78rem;font-weight:600;line-height:1.55;white-space:nowrap}
.sev-critical{background:var(--c-bg);color:var(--c-fg)}.sev-high{background:var(--h-bg);color:var(--h-fg)}
.sev-medium{background:var(--m-bg);color:var(--m-fg)}.sev-low{background:var(--l-bg);color:var(--l-fg)}
.sev-info,.sev-unknown{background:var(--i-bg);color:var(--i-fg)}
.lc-documented{background:var(--documented-bg);color:var(--documented-fg)}.lc-shadow{background:var(--shadow-bg);color:var(--shadow-fg)}
.lc-zombie{background:var(--zombie-bg);color:var(--zombie-fg)}.lc-orphan{background:var(--orphan-bg);color:var(--orphan-fg)}
.lc-new{background:var(--new-bg);color:var(--new-fg)}.lc-unknown{background:var(--i-bg);color:var(--i-fg)}
.filters{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:center;margin:.4rem 0 .8rem}
.filters input[type=search]{min-width:20rem}
input,select,button.b{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.2rem .5rem}
button.b{cursor:pointer}
.eps{border:1px solid var(--line);border-radius:8px;overflow-x:auto}
.eph,.ep>summary{display:grid;grid-template-columns:1rem minmax(8rem,1.2fr) 4.7rem minmax(13rem,3fr) 6.8rem 5.6rem 5.6rem minmax(6rem,1fr) minmax(6rem,1.2fr) 3.4rem;
gap:0 .7rem;align-items:baseline;padding:.3rem .7rem;min-width:1080px}
.eph>*,.ep>summary>*{min-width:0;overflow-wrap:anywhere}
.eph>:nth-child(6),.eph>:nth-child(7),.eph>:nth-child(10),.ep>summary>:nth-child(5),.ep>summary>:nth-child(6){text-align:right;font-variant-numeric:tabular-nums}
.ep>summary>:nth-child(2),.ep>summary>:nth-child(3){font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.92em}
.ep>summary>.badge{justify-self:start}.ep>summary>:last-child{justify-self:end}
.z{color:var(--muted)}
.eph{font-weight:600;background:var(--panel);border-bottom:1px solid var(--line)}
.eph button{all:unset;font-weight:600}
.js .eph button{cursor:pointer}.js .eph button:hover{text-decoration:underline}
.eph button:focus-visible{outline:2px solid var(--link);outline-offset:2px}
.eph button[data-dir=asc]::after{content:" \\25B2"}.eph button[data-dir=desc]::after{content:" \\25BC"}
details.ep{border-bottom:1px solid var(--line);content-visibility:auto;contain-intrinsic-size:auto 2.1rem}
details.ep:last-child{border-bottom:0}
summary{cursor:pointer;list-style:none}summary::-webkit-details-marker{display:none}
.ep>summary::before,.f>summary::before{content:"\\25B8";color:var(--muted)}
.ep[open]>summary::before,.f[open]>summary::before{content:"\\25BE"}
.ep>summary:hover,.f>summary:hover{background:var(--hover)}
.epd{display:grid;grid-template-columns:repeat(auto-fit,minmax(24rem,1fr));gap:1rem 2rem;padding:.7rem 1rem 1rem 2.4rem;
background:var(--panel);border-top:1px dashed var(--line);min-width:1080px}
.epd>*{min-width:0;margin:0}.epd .wide{grid-column:1/-1}.epd p{margin:0 0 .3rem}.epd ul{margin:0;padding-left:1.1rem}
table.t{border-collapse:collapse;font-size:.92em}
table.t th,table.t td{text-align:left;padding:.15rem 1rem .15rem 0;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
table.t th{color:var(--muted);font-weight:600}
table.pa td:nth-child(5),table.sd td:nth-child(3),table.fi td:nth-child(2){text-align:right;font-variant-numeric:tabular-nums}
ul.sch{padding:0!important;list-style:none;columns:2 20rem;column-gap:2rem;margin-bottom:.6rem!important}
ul.sch li{break-inside:avoid;overflow-wrap:anywhere}ul.sch i{font-style:normal;color:var(--muted)}
.st2{color:var(--documented-fg)}.st3{color:var(--muted)}.st4{color:var(--shadow-fg)}.st5{color:var(--zombie-fg)}
.og h3 .badge{margin-left:.3rem}
details.f{border:1px solid var(--line);border-radius:8px;margin:.45rem 0}
details.f>summary{display:flex;flex-wrap:wrap;gap:.15rem .6rem;align-items:baseline;padding:.45rem .8rem;border-radius:8px}
details.f>summary>*{overflow-wrap:anywhere}details.f>summary>code{color:var(--muted)}
.f .fs{flex-basis:100%;padding-left:1.1rem;color:var(--muted)}
table.fi{margin:.2rem .9rem .8rem 1.9rem;width:calc(100% - 2.8rem)}
table.fi td:first-child{width:32%}table.fi td:nth-child(2){width:6rem}
.ev{color:var(--muted);font-size:.92em;margin-top:.15rem}
details.inc{border:1px solid var(--line);border-radius:8px;margin:.6rem 0}
details.inc>summary{display:flex;flex-wrap:wrap;gap:.15rem .6rem;align-items:baseline;padding:.5rem .8rem;border-radius:8px}
details.inc>summary>*{overflow-wrap:anywhere}
.inc>summary::before{content:"\\25B8";color:var(--muted)}.inc[open]>summary::before{content:"\\25BE"}.inc>summary:hover{background:var(--hover)}
.incd{padding:.6rem 1rem .8rem 1.9rem;border-top:1px dashed var(--line);background:var(--panel);border-radius:0 0 8px 8px}
.incd>p,.ents{margin:0 0 .5rem}.incd>h4{margin-top:.8rem}
.tag{display:inline-block;padding:0 .45em;border:1px solid var(--line);border-radius:4px;font-size:.8rem;line-height:1.45;white-space:nowrap}
.ent{display:inline-block;margin-right:.5rem;overflow-wrap:anywhere}.ent i,table.lk i{font-style:normal;color:var(--muted)}
details.more{display:inline}details.more>summary{display:inline;color:var(--link)}
details.sub{margin:.3rem 0}details.sub>summary{color:var(--link)}
details.sub>summary::before{content:"\\25B8  "}details.sub[open]>summary::before{content:"\\25BE  "}
.al{border-left:3px solid var(--line);background:var(--bg);padding:.4rem .8rem;margin:.5rem 0}
.alh{display:flex;flex-wrap:wrap;gap:.15rem .6rem;align-items:baseline}
.al p{margin:.2rem 0}.al .fs{font-weight:600}
table.evt{margin:.3rem 0}table.evt td:nth-child(2),table.evt td:nth-child(3){text-align:right;font-variant-numeric:tabular-nums}
table.evt tr.thr td{text-align:left;color:var(--muted)}
table.tl td:first-child{white-space:nowrap}
:target{outline:2px solid var(--link);outline-offset:-2px}tr:target{background:var(--hover)}
footer{margin-top:3rem;color:var(--muted);font-size:.85rem}
@media print{
body{max-width:none;padding:0;font-size:9.5pt}
nav,.filters{display:none!important}
.eps{overflow:visible;border:0}.eph,.ep>summary,.epd{min-width:0}
details.ep,details.f{content-visibility:visible;break-inside:avoid}
.al{break-inside:avoid}
h2,h3{break-after:avoid}
a{color:inherit;text-decoration:none}
.badge{border:1px solid currentColor;print-color-adjust:exact;-webkit-print-color-adjust:exact}
}
`;

/**
 * The script of the HTML report. It only adds to what the page shows without it: sorting and filtering the
 * endpoint list, a severity filter and expand/collapse for findings, expand/collapse for incidents, opening a
 * `<details>` a link points to, and opening findings and incidents for printing. It reads the embedded JSON
 * (`#endpoint-index`), never the network.
 */
export const REPORT_SCRIPT = `
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const data = JSON.parse($('endpoint-index').textContent);
  document.documentElement.classList.add('js');
  const fmt = (n) => n.toLocaleString('en');

  const list = $('ep-list');
  if (list) {
    const items = Array.from(list.querySelectorAll('details.ep'), (el, order) => {
      const e = data.endpoints[Number(el.id.slice(2))];
      const words = [e.host, e.method, e.path, e.lifecycle, ...e.auth, ...e.sensitive, ...e.findings];
      return { el, e, order, text: words.join(' ').toLowerCase() };
    });
    const lifecycleRank = { documented: 0, new: 1, orphan: 2, shadow: 3, zombie: 4 };
    const keys = {
      host: (e) => e.host, method: (e) => e.method, path: (e) => e.path,
      lifecycle: (e) => lifecycleRank[e.lifecycle] ?? 5, requests: (e) => e.requests, consumers: (e) => e.consumers,
      auth: (e) => e.auth.join(','), sensitive: (e) => e.sensitive.length, risk: (e) => e.risk,
    };
    const textKeys = new Set(['host', 'method', 'path', 'auth']);
    const buttons = Array.from(list.querySelectorAll('.eph button'));
    let sortKey = 'risk';
    let dir = -1;
    const sort = () => {
      const key = keys[sortKey];
      items.sort((a, b) => {
        const x = key(a.e);
        const y = key(b.e);
        return (x < y ? -1 : x > y ? 1 : 0) * dir || a.order - b.order;
      });
      const fragment = document.createDocumentFragment();
      for (const item of items) fragment.append(item.el);
      list.append(fragment);
      mark();
    };
    const mark = () => {
      for (const b of buttons) {
        if (b.dataset.k === sortKey) b.dataset.dir = dir > 0 ? 'asc' : 'desc';
        else delete b.dataset.dir;
      }
    };
    for (const b of buttons) {
      b.addEventListener('click', () => {
        if (b.dataset.k === sortKey) dir = -dir;
        else {
          sortKey = b.dataset.k;
          dir = textKeys.has(sortKey) ? 1 : -1;
        }
        sort();
      });
    }
    const query = $('ep-q');
    const lifecycle = $('ep-lc');
    const risky = $('ep-risky');
    const shown = $('ep-shown');
    const filter = () => {
      const terms = query.value.toLowerCase().split(/\\s+/).filter(Boolean);
      let n = 0;
      for (const item of items) {
        const ok = (!lifecycle.value || item.e.lifecycle === lifecycle.value) && (!risky.checked || item.e.risk > 0) &&
          terms.every((t) => item.text.includes(t));
        item.el.hidden = !ok;
        if (ok) n++;
      }
      shown.textContent = fmt(n) + ' of ' + fmt(items.length) + ' shown';
    };
    let pending = 0;
    query.addEventListener('input', () => { clearTimeout(pending); pending = setTimeout(filter, 120); });
    lifecycle.addEventListener('change', filter);
    risky.addEventListener('change', filter);
    $('ep-filters').hidden = false;
    filter();
    mark();
  }

  const findings = Array.from(document.querySelectorAll('details.f'));
  const severity = $('f-sev');
  if (severity) {
    const groups = Array.from(document.querySelectorAll('.og'));
    severity.addEventListener('change', () => {
      const min = Number(severity.value);
      for (const f of findings) f.hidden = Number(f.dataset.s) < min;
      for (const g of groups) g.hidden = !g.querySelector('details.f:not([hidden])');
    });
    $('f-open').addEventListener('click', () => { for (const f of findings) f.open = true; });
    $('f-close').addEventListener('click', () => { for (const f of findings) f.open = false; });
    $('f-tools').hidden = false;
  }

  const incidents = Array.from(document.querySelectorAll('details.inc'));
  if ($('i-tools')) {
    $('i-open').addEventListener('click', () => { for (const i of incidents) i.open = true; });
    $('i-close').addEventListener('click', () => { for (const i of incidents) i.open = false; });
    $('i-tools').hidden = false;
  }

  // Shows what a link points to: opens every <details> around it, even one hidden by a filter.
  const reveal = (id) => {
    const target = id ? document.getElementById(id) : null;
    if (!target) return null;
    for (let el = target; el; el = el.parentElement) {
      if (el.tagName === 'DETAILS') {
        el.hidden = false;
        el.open = true;
      } else if (el.classList.contains('og')) el.hidden = false;
    }
    return target;
  };
  document.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href^="#"]') : null;
    if (link) reveal(decodeURIComponent(link.getAttribute('href').slice(1)));
  });
  const initial = reveal(decodeURIComponent(location.hash.slice(1)));
  if (initial) initial.scrollIntoView();

  let opened = [];
  addEventListener('beforeprint', () => {
    opened = [...incidents, ...findings].filter((f) => !f.open);
    for (const f of opened) f.open = true;
  });
  addEventListener('afterprint', () => {
    for (const f of opened) f.open = false;
    opened = [];
  });
})();
`;
