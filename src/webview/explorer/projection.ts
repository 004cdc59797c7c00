// Projections of word vectors to 2 or 3 dimensions. PCA is our own (block power iteration with a
// Rayleigh–Ritz step, exact enough for display, and it reports explained variance); UMAP is umap-js
// (PAIR-code), t-SNE is @keckelt/tsne (a TypeScript port of Karpathy's tSNEJS). Pure functions on
// Float32Arrays, so they also run under node for the unit tests.

export interface Pca {
  components: Float32Array[]; // k unit vectors of length dim, by falling variance
  explained: number[]; // share of the total variance along each component
  scores: Float32Array[]; // per component, the coordinate of every row
}

/** Rows (n × dim) → the top k principal components and each row's coordinates on them. */
export function pca(data: Float32Array, n: number, dim: number, k: number, iterations = 30, seed = 1): Pca {
  k = Math.max(1, Math.min(k, dim, Math.max(1, n)));
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let c = 0; c < dim; c++) mean[c] += data[i * dim + c];
  for (let c = 0; c < dim; c++) mean[c] /= Math.max(1, n);
  const X = new Float32Array(n * dim);
  let total = 0;
  for (let i = 0; i < n; i++)
    for (let c = 0; c < dim; c++) {
      const v = data[i * dim + c] - mean[c];
      X[i * dim + c] = v;
      total += v * v;
    }
  // Q: dim × k, random start
  let r = seed >>> 0 || 1;
  const rand = () => {
    r ^= r << 13;
    r ^= r >>> 17;
    r ^= r << 5;
    return (r >>> 0) / 4294967296 - 0.5;
  };
  let Q: Float64Array[] = Array.from({ length: k }, () => Float64Array.from({ length: dim }, rand));
  orthonormalise(Q);
  const XQ = Array.from({ length: k }, () => new Float64Array(n));
  const apply = (vs: Float64Array[]): Float64Array[] => {
    // XᵀX v for each v
    for (let j = 0; j < vs.length; j++) {
      const v = vs[j];
      const xv = XQ[j];
      for (let i = 0; i < n; i++) {
        let s = 0;
        const o = i * dim;
        for (let c = 0; c < dim; c++) s += X[o + c] * v[c];
        xv[i] = s;
      }
    }
    return vs.map((_, j) => {
      const out = new Float64Array(dim);
      const xv = XQ[j];
      for (let i = 0; i < n; i++) {
        const a = xv[i];
        if (a === 0) continue;
        const o = i * dim;
        for (let c = 0; c < dim; c++) out[c] += a * X[o + c];
      }
      return out;
    });
  };
  for (let it = 0; it < iterations; it++) {
    Q = apply(Q);
    orthonormalise(Q);
  }
  // Rayleigh–Ritz: B = Qᵀ XᵀX Q, eigen-decomposed, rotates Q onto the principal axes
  const AQ = apply(Q);
  const B = Q.map((qi) => AQ.map((aj) => dot(qi, aj)));
  const { values, vectors } = jacobiEigen(B);
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  const components = order.map(([, i]) => {
    const c = new Float64Array(dim);
    for (let j = 0; j < k; j++) for (let d = 0; d < dim; d++) c[d] += vectors[j][i] * Q[j][d];
    return Float32Array.from(c);
  });
  const explained = order.map(([v]) => (total > 0 ? Math.max(0, v) / total : 0));
  const scores = components.map((comp) => {
    const s = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let a = 0;
      for (let c = 0; c < dim; c++) a += X[i * dim + c] * comp[c];
      s[i] = a;
    }
    return s;
  });
  return { components, explained, scores };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function orthonormalise(vs: Float64Array[]): void {
  for (let j = 0; j < vs.length; j++) {
    for (let p = 0; p < j; p++) {
      const d = dot(vs[j], vs[p]);
      for (let c = 0; c < vs[j].length; c++) vs[j][c] -= d * vs[p][c];
    }
    const norm = Math.sqrt(dot(vs[j], vs[j]));
    if (norm < 1e-12) {
      vs[j].fill(0);
      vs[j][j % vs[j].length] = 1;
    } else for (let c = 0; c < vs[j].length; c++) vs[j][c] /= norm;
  }
}

/** Eigenvalues and eigenvectors (columns) of a small symmetric matrix, by cyclic Jacobi rotations. */
export function jacobiEigen(M: number[][]): { values: number[]; vectors: number[][] } {
  const n = M.length;
  const A = M.map((r) => r.slice());
  const V: number[][] = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += A[i][j] ** 2;
    if (off < 1e-20) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(A[p][q]) < 1e-30) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t: number = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k][p];
          const vkq = V[k][q];
          V[k][p] = c * vkp - s * vkq;
          V[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: A.map((r, i) => r[i]), vectors: V };
}

/** k-means on unit vectors (cosine), k-means++ start; returns each row's cluster. */
export function kmeansCosine(data: Float32Array, n: number, dim: number, k: number, seed = 1): Int32Array {
  const unit = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < dim; c++) s += data[i * dim + c] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < dim; c++) unit[i * dim + c] = data[i * dim + c] * inv;
  }
  const assign = new Int32Array(n);
  if (n <= k) {
    for (let i = 0; i < n; i++) assign[i] = i;
    return assign;
  }
  let r = seed >>> 0 || 1;
  const rand = () => {
    r ^= r << 13;
    r ^= r >>> 17;
    r ^= r << 5;
    return (r >>> 0) / 4294967296;
  };
  const centres: Float32Array[] = [unit.slice(0, dim)];
  while (centres.length < k) {
    const d = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      let best = Number.POSITIVE_INFINITY;
      for (const ce of centres) {
        let s = 0;
        for (let c = 0; c < dim; c++) s += unit[i * dim + c] * ce[c];
        best = Math.min(best, 1 - s);
      }
      d[i] = best * best;
      sum += d[i];
    }
    let pick = rand() * sum;
    let i = 0;
    while (i < n - 1 && pick > d[i]) pick -= d[i++];
    centres.push(unit.slice(i * dim, (i + 1) * dim));
  }
  for (let it = 0; it < 50; it++) {
    let moved = 0;
    for (let i = 0; i < n; i++) {
      let best = -2;
      let bi = 0;
      centres.forEach((ce, j) => {
        let s = 0;
        for (let c = 0; c < dim; c++) s += unit[i * dim + c] * ce[c];
        if (s > best) {
          best = s;
          bi = j;
        }
      });
      if (assign[i] !== bi) moved++;
      assign[i] = bi;
    }
    for (let j = 0; j < k; j++) {
      const ce = new Float32Array(dim);
      for (let i = 0; i < n; i++)
        if (assign[i] === j) for (let c = 0; c < dim; c++) ce[c] += unit[i * dim + c];
      let s = 0;
      for (const x of ce) s += x * x;
      if (s > 0) centres[j] = ce.map((x) => x / Math.sqrt(s));
    }
    if (moved === 0 && it > 0) break;
  }
  return assign;
}

/** Scales coordinates (n × dims, interleaved) into [-1, 1] around their centre, keeping proportions. */
export function fitUnit(coords: Float32Array, dims: number): Float32Array {
  const n = coords.length / dims;
  const out = new Float32Array(coords.length);
  if (n === 0) return out;
  const mid = new Float64Array(dims);
  const lo = new Float64Array(dims).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(dims).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dims; d++) {
      lo[d] = Math.min(lo[d], coords[i * dims + d]);
      hi[d] = Math.max(hi[d], coords[i * dims + d]);
    }
  let span = 0;
  for (let d = 0; d < dims; d++) {
    mid[d] = (lo[d] + hi[d]) / 2;
    span = Math.max(span, hi[d] - lo[d]);
  }
  const s = span > 0 ? 2 / span : 1;
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dims; d++) out[i * dims + d] = (coords[i * dims + d] - mid[d]) * s;
  return out;
}
