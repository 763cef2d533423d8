/**
 * The page's styles, inline. Colours from the Okabe–Ito palette, which readers with any
 * common colour-vision deficiency tell apart; every status also has its symbol, and cells
 * outside a window are hatched.
 */
export const REPORT_CSS = `
:root{--verified:#009e73;--failed:#d55e00;--drifted:#e69f00;--running:#0072b2;--todo:#e4e4e4;--ink:#1a1a1a;--muted:#5b5b5b;--line:#d0d0d0;color-scheme:light}
*{box-sizing:border-box}
body{margin:0;padding:16px 16px 120px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 6px}h3{font-size:15px;margin:18px 0 6px}
.description{white-space:pre-line;color:var(--muted);margin:0 0 10px;max-width:70em}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:8px 18px;margin:10px 0}
.facts dt{font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}.facts dd{margin:0;overflow-wrap:anywhere}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:6px 16px;padding:0;margin:10px 0}
.legend li{display:flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:18px;height:18px;line-height:18px;text-align:center;border-radius:3px;font-size:12px}
.note{color:var(--muted);margin:4px 0}
.grid-wrap,.table-wrap{overflow-x:auto;max-width:100%;border:1px solid var(--line);border-radius:4px}
table{border-collapse:collapse}
caption{text-align:left;color:var(--muted);padding:4px 6px;caption-side:top;white-space:nowrap}
.grid{table-layout:fixed;width:calc(12em + var(--columns) * 20px)}
.grid th,.grid td{padding:0}
.rows{width:max-content;content-visibility:auto;contain-intrinsic-size:auto 1000px}
.grid thead th{font-weight:400;font-size:11px;color:var(--muted);vertical-align:bottom;height:52px;width:20px}
.grid thead th span{writing-mode:vertical-rl;transform:rotate(180deg);display:inline-block;white-space:nowrap;padding:2px 0}
.grid tbody th{position:sticky;left:0;background:#fff;text-align:left;font-weight:500;padding:0 8px 0 6px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-size:12px;z-index:1}
.grid thead .corner{position:sticky;left:0;background:#fff;text-align:left;padding-left:6px;z-index:2;width:12em}
.grid td{height:20px;text-align:center;font:12px/20px "DejaVu Sans","Segoe UI Symbol","Apple Symbols",sans-serif;border:1px solid #fff;cursor:default}
[data-s=verified]{background:var(--verified);color:#fff}
[data-s=failed]{background:var(--failed);color:#fff;font-weight:700}
[data-s=drifted]{background:var(--drifted);color:#000;font-weight:700}
[data-s=running]{background:var(--running);color:#fff}
[data-s=todo]{background:var(--todo);color:#555}
[data-s=outside]{background:repeating-linear-gradient(45deg,#fff 0 3px,#ddd 3px 4px);color:#999}
td[style][data-s=failed]{background:linear-gradient(to top,var(--failed) var(--p),var(--verified) 0)}
td[style][data-s=drifted]{background:linear-gradient(to top,var(--drifted) var(--p),var(--verified) 0)}
td[style][data-s=running]{background:linear-gradient(to top,var(--running) var(--p),var(--todo) 0)}
td[style][data-s=todo]{background:linear-gradient(to top,var(--todo) var(--p),var(--verified) 0)}
.grid td:focus,.grid td:hover{outline:2px solid var(--ink);outline-offset:-1px}
.deletes th,.deletes td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top;font-size:13px}
.deletes td:nth-of-type(1),.deletes td:nth-of-type(4){white-space:nowrap}
.deletes tr[data-s=failed]{background:#fbe3d6;color:var(--ink);font-weight:400}
.deletes tr[data-s=failed] th{border-left:4px solid var(--failed)}
#details{position:fixed;left:0;right:0;bottom:0;background:#fff;border-top:2px solid var(--ink);padding:8px 16px;font-size:13px;max-height:40vh;overflow:auto;box-shadow:0 -2px 8px rgba(0,0,0,.15)}
#details p{margin:2px 0;overflow-wrap:anywhere}#details p:first-child{font-weight:600}
footer{margin-top:28px;color:var(--muted);font-size:12px}
@media (max-width:600px){body{padding:10px 10px 140px}.facts{grid-template-columns:1fr}.grid{width:calc(8em + var(--columns) * 20px)}.grid thead .corner{width:8em}}
@media print{#details{display:none}body{padding-bottom:16px}}
`
