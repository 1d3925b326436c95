"""Static parts of the HTML report: stylesheet, script and the inline-SVG trend chart."""

from __future__ import annotations

from html import escape
from typing import Any

from auditor.metric_registry import metric

CSS = """
:root{
  --fg:#1f2328;
  --muted:#656d76;
  --bg:#fff;
  --card:#f6f8fa;
  --line:#d0d7de;
  --high:#1a7f37;
  --medium:#b26a00;
  --low:#cf222e;
  --none:#8c959f;
}
*{box-sizing:border-box}
body{
  margin:0;
  font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;
  color:var(--fg);
  background:var(--bg);
}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
.muted{color:var(--muted)}
code,pre{font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.stages{
  display:flex;
  flex-wrap:wrap;
  gap:4px 18px;
  padding:0;
  list-style:none;
  color:var(--muted);
  margin:6px 0;
}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.tile{
  background:var(--card);
  border:1px solid var(--line);
  border-left:5px solid var(--none);
  border-radius:6px;
  padding:10px 12px;
}
.tile .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.tile .value{font-size:24px;font-weight:600}
.tile .note{color:var(--muted);font-size:12px}
.tile.big{grid-column:span 2}
.tile.big .value{font-size:34px}
.tile.high{border-left-color:var(--high)}
.tile.medium{border-left-color:var(--medium)}
.tile.low{border-left-color:var(--low)}
.tile.high .value{color:var(--high)}
.tile.medium .value{color:var(--medium)}
.tile.low .value{color:var(--low)}
table.modules{border-collapse:collapse;width:100%}
table.modules th,table.modules td{
  border-bottom:1px solid var(--line);
  padding:5px 8px;
  text-align:left;
}
td.num{text-align:right;position:relative;min-width:90px}
.bar{position:absolute;left:0;top:6px;bottom:6px;opacity:.18;border-radius:3px}
.bar.high{background:var(--high)}
.bar.medium{background:var(--medium)}
.bar.low{background:var(--low)}
.barlabel{position:relative}
ol.actions li{margin:6px 0}
.where{font-family:ui-monospace,monospace;color:var(--muted)}
.how{color:var(--muted)}
pre{
  background:var(--card);
  border:1px solid var(--line);
  border-radius:6px;
  padding:8px 10px;
  overflow-x:auto;
  margin:6px 0;
}
pre.diff .add{color:var(--high);display:block}
pre.diff .del{color:var(--low);display:block}
pre.diff .ctx{color:var(--muted);display:block}
pre.code>span{display:block;min-height:1.45em}
pre.code .hit{background:#fff8c5}
.ln{color:var(--none);user-select:none}
.mutant,.finding{border:1px solid var(--line);border-radius:6px;padding:8px 10px;margin:8px 0}
.witness{margin-top:4px}
.sev{
  display:inline-block;
  border-radius:10px;
  padding:0 8px;
  font-size:12px;
  color:#fff;
  background:var(--none);
}
.sev-error .sev{background:var(--low)}
.sev-warning .sev{background:var(--medium)}
.sev-info .sev{background:#0969da}
details{margin:8px 0}
summary{cursor:pointer;font-weight:600}
#filter{width:100%;padding:6px 8px;margin:6px 0;border:1px solid var(--line);border-radius:6px}
svg.trend text{font-size:11px;fill:var(--muted)}
@media (prefers-color-scheme:dark){
  :root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#161b22;--line:#30363d}
  pre.code .hit{background:#3b2e00}
}
"""

JS = """
(function(){var f=document.getElementById('filter');if(!f)return;
f.addEventListener('input',function(){var q=f.value.toLowerCase();
document.querySelectorAll('.finding[data-text]').forEach(function(el){
el.style.display=el.getAttribute('data-text').indexOf(q)>=0?'':'none';});});})();
"""

# metric key (a tracked metric of `metric_registry`) -> line colour
SERIES: tuple[tuple[str, str], ...] = (
    ("score", "#0969da"),
    ("mutation_score", "#8250df"),
    ("line_coverage", "#1a7f37"),
)
WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 720, 220, 36, 130, 12, 28
MAX_POINTS = 30


def _point(x: float, y: float, colour: str, tip: str) -> str:
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
        f"<title>{escape(tip)}</title></circle>"
    )


def _axes(plot_w: float, y: Any, x: Any, entries: list[dict[str, Any]]) -> list[str]:
    parts = []
    for tick in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{PAD_L}" x2="{PAD_L + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#d0d7de" stroke-width="1"/>'
            f'<text x="{PAD_L - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick}</text>'
        )
    for i, anchor in ((0, "start"), (len(entries) - 1, "end")):
        label = escape(str(entries[i].get("date", ""))[:10])
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">{label}</text>')
    return parts


def trend_svg(history: list[dict[str, Any]]) -> str:
    """Lines for the overall score, mutation score and line coverage over the recorded scans."""
    entries = history[-MAX_POINTS:]
    if len(entries) < 2:
        return (
            '<p class="muted">The trend appears after two recorded scans (each full '
            "<code>auditor scan</code> appends to <code>.auditor/history.jsonl</code>).</p>"
        )
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B

    def x(i: int) -> float:
        return PAD_L + plot_w * i / (len(entries) - 1)

    def y(v: float) -> float:
        return PAD_T + plot_h * (1 - max(0.0, min(100.0, v)) / 100)

    parts = [
        f'<svg class="trend" role="img" aria-label="trend of scores" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" xmlns="http://www.w3.org/2000/svg">',
        *_axes(plot_w, y, x, entries),
    ]
    latest_stages = sorted(entries[-1].get("stages") or [])
    for row, (key, colour) in enumerate(SERIES):
        label = metric(key).label
        # scores of different stage sets measure different things: plot the latest set only
        points = [
            (x(i), y(float(e["metrics"][key])), e)
            for i, e in enumerate(entries)
            if isinstance(e.get("metrics", {}).get(key), (int, float))
            and (key != "score" or sorted(e.get("stages") or []) == latest_stages)
        ]
        if points:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
            line = f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>'
            parts.append(line)
            for px, py, e in points:
                where = f"{e.get('branch') or '?'} {str(e.get('commit') or '')[:8]}"
                tip = f"{label} {e['metrics'][key]:g} on {e.get('date', '')} ({where})"
                parts.append(_point(px, py, colour, tip))
        ly = PAD_T + 14 + row * 18
        parts.append(
            f'<rect x="{WIDTH - PAD_R + 12}" y="{ly - 8}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{WIDTH - PAD_R + 28}" y="{ly + 1}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    stages = ", ".join(latest_stages) or "unknown"
    parts.append(
        f'<p class="muted">Overall score plotted for scans with the same stages as the latest '
        f"({escape(stages)}); hover a point for its commit.</p>"
    )
    return "".join(parts)
