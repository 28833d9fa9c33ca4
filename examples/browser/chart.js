// A minimal SVG line chart of the loss per step: axes, min/max labels, the training loss as a line and
// the dev loss (evaluation steps) as dots, redrawn on every push.
const NS = "http://www.w3.org/2000/svg";
const W = 480, H = 240, L = 44, R = 8, T = 10, B = 22;

function el(name, attrs, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A loss chart drawn into `svg`; push(step, loss) adds a training-loss point, pushDev(step, loss) a dev-loss one. */
export class LossChart {
  constructor(svg) {
    this.svg = svg;
    this.points = [];
    this.dev = [];
    this.draw();
  }

  push(step, loss) {
    if (Number.isFinite(loss)) this.points.push([step, loss]);
    this.draw();
  }

  pushDev(step, loss) {
    if (Number.isFinite(loss)) this.dev.push([step, loss]);
    this.draw();
  }

  clear() {
    this.points = [];
    this.dev = [];
    this.draw();
  }

  draw() {
    const svg = this.svg;
    svg.replaceChildren();
    svg.append(el("line", { class: "axis", x1: L, y1: H - B, x2: W - R, y2: H - B }), el("line", { class: "axis", x1: L, y1: T, x2: L, y2: H - B }));
    if (this.points.length + this.dev.length === 0) {
      svg.append(el("text", { x: L + 8, y: T + 14 }, "no steps yet"));
      return;
    }
    const all = [...this.points, ...this.dev];
    const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
    const x0 = Math.min(...xs), x1 = Math.max(x0 + 1, ...xs);
    let y0 = Math.min(...ys), y1 = Math.max(...ys);
    if (y1 - y0 < 1e-9) (y0 -= 0.5, y1 += 0.5);
    const px = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
    const py = (y) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
    svg.append(el("polyline", { class: "line", points: this.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ") }));
    for (const [x, y] of this.dev) svg.append(el("circle", { class: "dev", cx: px(x).toFixed(1), cy: py(y).toFixed(1), r: 3 }));
    svg.append(
      el("text", { x: 2, y: T + 8 }, y1.toFixed(3)),
      el("text", { x: 2, y: H - B }, y0.toFixed(3)),
      el("text", { x: L, y: H - 6 }, `step ${x0}`),
      el("text", { x: W - R - 60, y: H - 6 }, `step ${x1}`),
    );
  }
}
