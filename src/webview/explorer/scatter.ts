// A scatter plot on canvas for thousands of points: 2D with zoom (wheel) and pan (drag), 3D with
// rotation (drag) and zoom; hover finds the nearest point on screen, click selects it. Labels are
// drawn for marked points only (and for all when few), so 10,000 points stay quick to draw.

export interface ScatterPoint {
  label: string;
  mark?: 'selected' | 'near' | 'star' | number; // number: a cluster, coloured
}

export interface ScatterOptions {
  labelFew?: boolean; // label every point when there are few (default true)
  onHover?: (index: number | undefined) => void;
  onClick?: (index: number) => void;
}

const CLUSTER_COLOURS = ['#3794ff', '#d18616', '#89d185', '#f14c4c', '#b180d7', '#4ec9b0'];

export class Scatter {
  readonly canvas: HTMLCanvasElement;
  private coords: Float32Array = new Float32Array(0); // in [-1, 1], dims per point
  private dims = 2;
  private points: ScatterPoint[] = [];
  private screen: Float32Array = new Float32Array(0); // x, y on screen of each point at the last draw
  private zoom = 1;
  private panX = 0;
  private panY = 0;
  private yaw = 0.6;
  private pitch = 0.35;
  private hovered: number | undefined;
  lastFrameMs = 0;
  frames = 0;
  private drag: { x: number; y: number; moved: boolean; shift: boolean } | undefined;
  private pending = false;

  constructor(
    parent: HTMLElement,
    private readonly opts: ScatterOptions = {},
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'scatter';
    this.canvas.tabIndex = 0;
    parent.appendChild(this.canvas);
    this.canvas.addEventListener('wheel', (e) => {
      e.preventDefault();
      const f = Math.exp(-e.deltaY * 0.0015);
      // zoom around the cursor (2D)
      const { cx, cy, scale } = this.frame();
      const mx = (e.offsetX - cx) / (scale * this.zoom) + this.panX;
      const my = (e.offsetY - cy) / (scale * this.zoom) + this.panY;
      this.zoom = Math.min(200, Math.max(0.2, this.zoom * f));
      if (this.dims === 2) {
        this.panX = mx - (e.offsetX - cx) / (scale * this.zoom);
        this.panY = my - (e.offsetY - cy) / (scale * this.zoom);
      }
      this.request();
    });
    this.canvas.addEventListener('mousedown', (e) => {
      this.drag = { x: e.offsetX, y: e.offsetY, moved: false, shift: e.shiftKey };
    });
    window.addEventListener('mouseup', (e) => {
      const d = this.drag;
      this.drag = undefined;
      if (d && !d.moved && e.target === this.canvas) {
        const i = this.pick(e.offsetX, e.offsetY);
        if (i !== undefined) this.opts.onClick?.(i);
      }
    });
    this.canvas.addEventListener('mousemove', (e) => {
      const d = this.drag;
      if (d) {
        const dx = e.offsetX - d.x;
        const dy = e.offsetY - d.y;
        if (Math.abs(dx) + Math.abs(dy) > 2) d.moved = true;
        d.x = e.offsetX;
        d.y = e.offsetY;
        const { scale } = this.frame();
        if (this.dims === 3 && !d.shift) {
          this.yaw += dx * 0.01;
          this.pitch = Math.max(-1.5, Math.min(1.5, this.pitch + dy * 0.01));
        } else {
          this.panX -= dx / (scale * this.zoom);
          this.panY -= dy / (scale * this.zoom);
        }
        this.request();
        return;
      }
      const i = this.pick(e.offsetX, e.offsetY);
      if (i !== this.hovered) {
        this.hovered = i;
        this.opts.onHover?.(i);
        this.request();
      }
    });
    this.canvas.addEventListener('mouseleave', () => {
      if (this.hovered !== undefined) {
        this.hovered = undefined;
        this.opts.onHover?.(undefined);
        this.request();
      }
    });
    new ResizeObserver(() => this.request()).observe(parent);
  }

  get count(): number {
    return this.points.length;
  }

  get hoveredIndex(): number | undefined {
    return this.hovered;
  }

  /** New data: coordinates in [-1, 1] (dims per point). keepView keeps zoom and pan (animation). */
  set(coords: Float32Array, dims: number, points: ScatterPoint[], keepView = false): void {
    this.coords = coords;
    this.dims = dims;
    this.points = points;
    // a hovered index of the previous points may not exist among the new ones
    if (this.hovered !== undefined && this.hovered >= points.length) this.hovered = undefined;
    if (!keepView) {
      this.zoom = 1;
      this.panX = 0;
      this.panY = 0;
    }
    this.draw();
  }

  setMarks(marks: (ScatterPoint['mark'] | undefined)[]): void {
    this.points.forEach((p, i) => {
      p.mark = marks[i];
    });
    this.request();
  }

  /** Screen position of a point at the last draw (for tests and tooltips). */
  screenOf(i: number): [number, number] {
    return [this.screen[i * 2], this.screen[i * 2 + 1]];
  }

  private frame() {
    const w = this.canvas.clientWidth || 300;
    const h = this.canvas.clientHeight || 300;
    return { w, h, cx: w / 2, cy: h / 2, scale: Math.min(w, h) * 0.45 };
  }

  private pick(x: number, y: number): number | undefined {
    let best: number | undefined;
    let bd = 8 * 8;
    const n = this.points.length;
    for (let i = 0; i < n; i++) {
      const dx = this.screen[i * 2] - x;
      const dy = this.screen[i * 2 + 1] - y;
      const d = dx * dx + dy * dy;
      if (d < bd) {
        bd = d;
        best = i;
      }
    }
    return best;
  }

  request(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  draw(): void {
    const t0 = performance.now();
    const { w, h, cx, cy, scale } = this.frame();
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(w * dpr) || this.canvas.height !== Math.round(h * dpr)) {
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    const g = this.canvas.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const style = getComputedStyle(document.body);
    const css = (n: string, f: string) => style.getPropertyValue(n).trim() || f;
    g.fillStyle = css('--vscode-editor-background', '#1e1e1e');
    g.fillRect(0, 0, w, h);
    const n = this.points.length;
    if (this.screen.length !== n * 2) this.screen = new Float32Array(n * 2);
    const depth = new Float32Array(n);
    const cyaw = Math.cos(this.yaw);
    const syaw = Math.sin(this.yaw);
    const cp = Math.cos(this.pitch);
    const sp = Math.sin(this.pitch);
    // in 3D a rotated cube reaches √3 and perspective enlarges the near side: keep it all in view
    const k = scale * this.zoom * (this.dims === 3 ? 0.5 : 1);
    for (let i = 0; i < n; i++) {
      let x: number;
      let y: number;
      if (this.dims === 3) {
        const px = this.coords[i * 3];
        const py = this.coords[i * 3 + 1];
        const pz = this.coords[i * 3 + 2];
        const x1 = cyaw * px + syaw * pz;
        const z1 = -syaw * px + cyaw * pz;
        const y1 = cp * py - sp * z1;
        const z2 = sp * py + cp * z1;
        const persp = 3 / (3 + z2);
        x = (x1 * persp - this.panX) * k + cx;
        y = (y1 * persp - this.panY) * k + cy;
        depth[i] = z2;
      } else {
        x = (this.coords[i * 2] - this.panX) * k + cx;
        y = (this.coords[i * 2 + 1] - this.panY) * k + cy;
      }
      this.screen[i * 2] = x;
      this.screen[i * 2 + 1] = y;
    }
    const base = css('--vscode-charts-blue', '#3794ff');
    const sel = css('--vscode-charts-orange', '#d18616');
    const near = css('--vscode-charts-green', '#89d185');
    const fg = css('--vscode-foreground', '#cccccc');
    // plain points first, in one path per colour
    g.globalAlpha = n > 3000 ? 0.6 : 0.85;
    g.fillStyle = base;
    const size = n > 3000 ? 2 : 3;
    for (let i = 0; i < n; i++) {
      if (this.points[i].mark !== undefined) continue;
      const x = this.screen[i * 2];
      const y = this.screen[i * 2 + 1];
      if (x < -4 || y < -4 || x > w + 4 || y > h + 4) continue;
      g.fillRect(x - size / 2, y - size / 2, size, size);
    }
    g.globalAlpha = 1;
    const labelled: number[] = [];
    for (let i = 0; i < n; i++) {
      const m = this.points[i].mark;
      if (m === undefined) continue;
      const x = this.screen[i * 2];
      const y = this.screen[i * 2 + 1];
      if (m === 'star') {
        drawStar(g, x, y, 9, sel);
        labelled.push(i);
        continue;
      }
      g.fillStyle =
        m === 'selected' ? sel : m === 'near' ? near : CLUSTER_COLOURS[m % CLUSTER_COLOURS.length];
      g.beginPath();
      g.arc(x, y, m === 'selected' ? 5 : 3.5, 0, Math.PI * 2);
      g.fill();
      if (m === 'selected' || m === 'near') labelled.push(i);
    }
    if (n <= 150 && this.opts.labelFew !== false)
      for (let i = 0; i < n; i++) if (!labelled.includes(i)) labelled.push(i);
    // labels by priority — hovered, selected, the star, then the rest — each skipped where it would
    // cover one already placed, so the selected word stays readable inside a dense neighbourhood
    const rank = (i: number) =>
      i === this.hovered
        ? 0
        : this.points[i].mark === 'selected'
          ? 1
          : this.points[i].mark === 'star'
            ? 2
            : 3;
    if (this.hovered !== undefined && !labelled.includes(this.hovered)) labelled.push(this.hovered);
    labelled.sort((a, b) => rank(a) - rank(b));
    g.font = `12px ${css('--vscode-font-family', 'sans-serif')}`;
    g.textBaseline = 'middle';
    const placed: [number, number, number, number][] = [];
    for (const i of labelled) {
      const x = this.screen[i * 2];
      const y = this.screen[i * 2 + 1];
      const text = this.points[i].label;
      const hovered = i === this.hovered;
      const tw = g.measureText(text).width;
      const box: [number, number, number, number] = [x + 6, y - 8, tw + 4, 16];
      const covers = placed.some(
        (r) =>
          box[0] < r[0] + r[2] && r[0] < box[0] + box[2] && box[1] < r[1] + r[3] && r[1] < box[1] + box[3],
      );
      if (covers && rank(i) > 1) continue;
      placed.push(box);
      g.fillStyle = css('--vscode-editor-background', '#1e1e1e');
      g.globalAlpha = 0.7;
      g.fillRect(box[0], box[1], box[2], box[3]);
      g.globalAlpha = 1;
      g.fillStyle = hovered ? sel : fg;
      g.fillText(text, x + 8, y);
    }
    if (this.hovered !== undefined) {
      g.strokeStyle = sel;
      g.lineWidth = 2;
      g.beginPath();
      g.arc(this.screen[this.hovered * 2], this.screen[this.hovered * 2 + 1], 7, 0, Math.PI * 2);
      g.stroke();
    }
    this.lastFrameMs = performance.now() - t0;
    this.frames++;
    this.canvas.dataset.frameMs = this.lastFrameMs.toFixed(2);
    this.canvas.dataset.points = String(n);
  }
}

function drawStar(g: CanvasRenderingContext2D, x: number, y: number, r: number, colour: string): void {
  g.fillStyle = colour;
  g.beginPath();
  for (let i = 0; i < 10; i++) {
    const a = (Math.PI / 5) * i - Math.PI / 2;
    const rr = i % 2 === 0 ? r : r * 0.45;
    g.lineTo(x + Math.cos(a) * rr, y + Math.sin(a) * rr);
  }
  g.closePath();
  g.fill();
}
