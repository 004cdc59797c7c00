;; word2vec training in WebAssembly, over one shared memory that holds the weights: the vector
;; primitives in SIMD (4 float32 lanes), one negative-sampling or CBOW prediction, and a whole sentence
;; with negative sampling. Offsets are in bytes; n is a count of floats.
;; Assembled by scripts/build-wasm.mjs (wabt) into simdWasm.ts; test/unit/word2vec.test.ts checks that
;; the committed bytes match this source.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Σ a[i]·b[i]
  (func $dotf (export "dot") (param $a i32) (param $b i32) (param $n i32) (result f32)
    (local $acc0 v128) (local $acc1 v128) (local $end8 i32) (local $end i32) (local $s f32)
    (local.set $end (i32.add (local.get $a) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end8 (i32.add (local.get $a) (i32.shl (i32.and (local.get $n) (i32.const -8)) (i32.const 2))))
    (block $done8
      (loop $l8
        (br_if $done8 (i32.ge_u (local.get $a) (local.get $end8)))
        (local.set $acc0 (f32x4.add (local.get $acc0)
          (f32x4.mul (v128.load (local.get $a)) (v128.load (local.get $b)))))
        (local.set $acc1 (f32x4.add (local.get $acc1)
          (f32x4.mul (v128.load offset=16 (local.get $a)) (v128.load offset=16 (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 32)))
        (local.set $b (i32.add (local.get $b) (i32.const 32)))
        (br $l8)))
    (local.set $acc0 (f32x4.add (local.get $acc0) (local.get $acc1)))
    (local.set $s (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
      (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $a)) (f32.load (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $l)))
    (local.get $s))

  ;; e[i] += g·y[i]; y[i] += g·x[i]  (e: the input's gradient, y: an output vector, x: the input)
  (func $updatef (export "update") (param $g f32) (param $x i32) (param $y i32) (param $e i32) (param $n i32)
    (local $gv v128) (local $end4 i32) (local $end i32) (local $yv v128) (local $yf f32)
    (local.set $gv (f32x4.splat (local.get $g)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $l4
        (br_if $done4 (i32.ge_u (local.get $x) (local.get $end4)))
        (local.set $yv (v128.load (local.get $y)))
        (v128.store (local.get $e) (f32x4.add (v128.load (local.get $e)) (f32x4.mul (local.get $gv) (local.get $yv))))
        (v128.store (local.get $y) (f32x4.add (local.get $yv) (f32x4.mul (local.get $gv) (v128.load (local.get $x)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $e (i32.add (local.get $e) (i32.const 16)))
        (br $l4)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $yf (f32.load (local.get $y)))
        (f32.store (local.get $e) (f32.add (f32.load (local.get $e)) (f32.mul (local.get $g) (local.get $yf))))
        (f32.store (local.get $y) (f32.add (local.get $yf) (f32.mul (local.get $g) (f32.load (local.get $x)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (local.set $e (i32.add (local.get $e) (i32.const 4)))
        (br $l)))
  )

  ;; y[i] += g·x[i]
  (func $axpyf (export "axpy") (param $g f32) (param $x i32) (param $y i32) (param $n i32)
    (local $gv v128) (local $end4 i32) (local $end i32)
    (local.set $gv (f32x4.splat (local.get $g)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $l4
        (br_if $done4 (i32.ge_u (local.get $x) (local.get $end4)))
        (v128.store (local.get $y) (f32x4.add (v128.load (local.get $y)) (f32x4.mul (local.get $gv) (v128.load (local.get $x)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br $l4)))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (f32.store (local.get $y) (f32.add (f32.load (local.get $y)) (f32.mul (local.get $g) (f32.load (local.get $x)))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $y (i32.add (local.get $y) (i32.const 4)))
        (br $l)))
  )

  ;; x[i] *= g
  (func $scalef (export "scale") (param $g f32) (param $x i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (f32.store (local.get $x) (f32.mul (f32.load (local.get $x)) (local.get $g)))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $l)))
  )
;; The tables for "ns": σ(x) on [-6, 6) in 1000 steps, and -log σ(x) on [-20, 20] in 4001 steps.
  (global $exp (mut i32) (i32.const 0))
  (global $logsig (mut i32) (i32.const 0))
  (func (export "setTables") (param $exp i32) (param $logsig i32)
    (global.set $exp (local.get $exp))
    (global.set $logsig (local.get $logsig)))

  ;; One negative-sampling prediction from the input at l1: targets holds nt byte offsets of output
  ;; vectors, the first the word to predict (label 1), the rest negatives (label 0). Zeroes e, adds
  ;; the input's gradient to it, updates the outputs, adds e to the input when apply is 1 (skip-gram),
  ;; and returns the loss -log σ(f₀) - Σ log σ(-fᵢ).
  (func $nsf (export "ns") (param $l1 i32) (param $targets i32) (param $nt i32) (param $alpha f32)
    (param $e i32) (param $n i32) (param $apply i32) (result f64)
    (local $t i32) (local $l2 i32) (local $f f32) (local $z f32) (local $label f32) (local $g f32)
    (local $loss f64) (local $i i32)
    ;; e = 0
    (local.set $i (i32.const 0))
    (block $zd (loop $zl
      (br_if $zd (i32.ge_u (local.get $i) (local.get $n)))
      (f32.store (i32.add (local.get $e) (i32.shl (local.get $i) (i32.const 2))) (f32.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $zl)))
    (local.set $t (i32.const 0))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $t) (local.get $nt)))
      (local.set $l2 (i32.load (i32.add (local.get $targets) (i32.shl (local.get $t) (i32.const 2)))))
      (local.set $label (select (f32.const 1) (f32.const 0) (i32.eqz (local.get $t))))
      (local.set $f (call $dotf (local.get $l1) (local.get $l2) (local.get $n)))
      (local.set $z (select (local.get $f) (f32.neg (local.get $f)) (i32.eqz (local.get $t))))
      ;; loss: table inside [-20, 20], else 0 above and -z below
      (if (f32.ge (local.get $z) (f32.const 20))
        (then)
        (else (if (f32.le (local.get $z) (f32.const -20))
          (then (local.set $loss (f64.sub (local.get $loss) (f64.promote_f32 (local.get $z)))))
          (else (local.set $loss (f64.add (local.get $loss) (f64.promote_f32 (f32.load
            (i32.add (global.get $logsig) (i32.shl
              (i32.trunc_f32_s (f32.add (f32.mul (f32.add (local.get $z) (f32.const 20)) (f32.const 100)) (f32.const 0.5)))
              (i32.const 2)))))))))))
      (if (f32.gt (local.get $f) (f32.const 6))
        (then (local.set $g (f32.mul (f32.sub (local.get $label) (f32.const 1)) (local.get $alpha))))
        (else (if (f32.lt (local.get $f) (f32.const -6))
          (then (local.set $g (f32.mul (local.get $label) (local.get $alpha))))
          (else (local.set $g (f32.mul (f32.sub (local.get $label) (f32.load
            (i32.add (global.get $exp) (i32.shl
              (i32.trunc_f32_s (f32.mul (f32.add (local.get $f) (f32.const 6)) (f32.const 83.33333333)))
              (i32.const 2))))) (local.get $alpha)))))))
      (call $updatef (local.get $g) (local.get $l1) (local.get $l2) (local.get $e) (local.get $n))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $l)))
    (if (local.get $apply) (then (call $axpyf (f32.const 1) (local.get $e) (local.get $l1) (local.get $n))))
    (local.get $loss))
;; One CBOW prediction: ctx holds nc byte offsets of the context words' input vectors. Their sum
  ;; (or mean) goes to neu1, "ns" predicts from it, and every context word gets the error e (with the
  ;; sum, e is spread over the window first, as gensim does). Returns the loss.
  (func $cbowf (export "cbow") (param $ctx i32) (param $nc i32) (param $targets i32) (param $nt i32)
    (param $alpha f32) (param $neu1 i32) (param $e i32) (param $n i32) (param $mean i32) (result f64)
    (local $i i32) (local $loss f64) (local $inv f32)
    (local.set $i (i32.const 0))
    (block $zd (loop $zl
      (br_if $zd (i32.ge_u (local.get $i) (local.get $n)))
      (f32.store (i32.add (local.get $neu1) (i32.shl (local.get $i) (i32.const 2))) (f32.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $zl)))
    (local.set $i (i32.const 0))
    (block $sd (loop $sl
      (br_if $sd (i32.ge_u (local.get $i) (local.get $nc)))
      (call $axpyf (f32.const 1) (i32.load (i32.add (local.get $ctx) (i32.shl (local.get $i) (i32.const 2))))
        (local.get $neu1) (local.get $n))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $sl)))
    (local.set $inv (f32.div (f32.const 1) (f32.convert_i32_u (local.get $nc))))
    (if (local.get $mean) (then (call $scalef (local.get $inv) (local.get $neu1) (local.get $n))))
    (local.set $loss (call $nsf (local.get $neu1) (local.get $targets) (local.get $nt) (local.get $alpha)
      (local.get $e) (local.get $n) (i32.const 0)))
    (if (i32.eqz (local.get $mean)) (then (call $scalef (local.get $inv) (local.get $e) (local.get $n))))
    (local.set $i (i32.const 0))
    (block $dd (loop $dl
      (br_if $dd (i32.ge_u (local.get $i) (local.get $nc)))
      (call $axpyf (f32.const 1) (local.get $e)
        (i32.load (i32.add (local.get $ctx) (i32.shl (local.get $i) (i32.const 2)))) (local.get $n))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $dl)))
    (local.get $loss))
;; ---- A whole sentence with negative sampling, so the loop over words, windows and negatives runs
  ;; here too. The random numbers are the same xorshift32 as the JavaScript side, kept in $rng.
  (global $rng (mut i32) (i32.const 1))
  (global $preds (mut i32) (i32.const 0))
  (func (export "setRng") (param $x i32) (global.set $rng (local.get $x)))
  (func (export "getRng") (result i32) (global.get $rng))
  (func (export "predictions") (result i32) (global.get $preds))
  (func $rand (result i32)
    (local $x i32)
    (local.set $x (global.get $rng))
    (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
    (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
    (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
    (global.set $rng (local.get $x))
    (local.get $x))

  ;; targets[0] = the word's output vector, then up to neg draws from the alias table (prob, alias:
  ;; V floats and V ints), skipping the word itself; returns how many were written.
  (func $draw (param $word i32) (param $neg i32) (param $prob i32) (param $alias i32) (param $V i32)
    (param $syn1 i32) (param $row i32) (param $targets i32) (result i32)
    (local $nt i32) (local $d i32) (local $j i32) (local $t i32)
    (i32.store (local.get $targets) (i32.add (local.get $syn1) (i32.mul (local.get $word) (local.get $row))))
    (local.set $nt (i32.const 1))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $d) (local.get $neg)))
      (local.set $j (i32.rem_u (call $rand) (local.get $V)))
      (local.set $t (select (local.get $j)
        (i32.load (i32.add (local.get $alias) (i32.shl (local.get $j) (i32.const 2))))
        (f64.lt (f64.div (f64.convert_i32_u (call $rand)) (f64.const 4294967296))
          (f64.promote_f32 (f32.load (i32.add (local.get $prob) (i32.shl (local.get $j) (i32.const 2))))))))
      (if (i32.ne (local.get $t) (local.get $word)) (then
        (i32.store (i32.add (local.get $targets) (i32.shl (local.get $nt) (i32.const 2)))
          (i32.add (local.get $syn1) (i32.mul (local.get $t) (local.get $row))))
        (local.set $nt (i32.add (local.get $nt) (i32.const 1)))))
      (local.set $d (i32.add (local.get $d) (i32.const 1)))
      (br $l)))
    (local.get $nt))

  ;; Trains on one (subsampled) sentence of len word ids at sen: skip-gram when sg is 1, else CBOW
  ;; (mean when mean is 1). Each centre word draws its window 1..window. Returns the summed loss;
  ;; the number of predictions is left in $preds.
  (func (export "sentence") (param $sen i32) (param $len i32) (param $window i32) (param $neg i32)
    (param $alpha f32) (param $sg i32) (param $mean i32) (param $syn0 i32) (param $syn1 i32) (param $row i32)
    (param $dim i32) (param $prob i32) (param $alias i32) (param $V i32) (param $neu1 i32) (param $e i32)
    (param $targets i32) (param $ctx i32) (result f64)
    (local $pos i32) (local $word i32) (local $b i32) (local $a i32) (local $c i32) (local $end i32)
    (local $nc i32) (local $nt i32) (local $loss f64) (local $preds i32)
    (block $words (loop $wl
      (br_if $words (i32.ge_s (local.get $pos) (local.get $len)))
      (local.set $word (i32.load (i32.add (local.get $sen) (i32.shl (local.get $pos) (i32.const 2)))))
      (local.set $b (i32.rem_u (call $rand) (local.get $window)))
      (local.set $end (i32.sub (i32.add (i32.mul (local.get $window) (i32.const 2)) (i32.const 1)) (local.get $b)))
      (local.set $nc (i32.const 0))
      (local.set $a (local.get $b))
      (block $ctxdone (loop $cl
        (br_if $ctxdone (i32.ge_s (local.get $a) (local.get $end)))
        (local.set $c (i32.add (i32.sub (local.get $pos) (local.get $window)) (local.get $a)))
        (if (i32.and (i32.ne (local.get $a) (local.get $window))
              (i32.and (i32.ge_s (local.get $c) (i32.const 0)) (i32.lt_s (local.get $c) (local.get $len))))
          (then
            (if (local.get $sg)
              (then
                ;; skip-gram: predict the centre word from this context word's vector
                (local.set $nt (call $draw (local.get $word) (local.get $neg) (local.get $prob) (local.get $alias)
                  (local.get $V) (local.get $syn1) (local.get $row) (local.get $targets)))
                (local.set $loss (f64.add (local.get $loss) (call $nsf
                  (i32.add (local.get $syn0) (i32.mul (i32.load (i32.add (local.get $sen) (i32.shl (local.get $c) (i32.const 2)))) (local.get $row)))
                  (local.get $targets) (local.get $nt) (local.get $alpha) (local.get $e) (local.get $dim) (i32.const 1))))
                (local.set $preds (i32.add (local.get $preds) (i32.const 1))))
              (else
                (i32.store (i32.add (local.get $ctx) (i32.shl (local.get $nc) (i32.const 2)))
                  (i32.add (local.get $syn0) (i32.mul (i32.load (i32.add (local.get $sen) (i32.shl (local.get $c) (i32.const 2)))) (local.get $row))))
                (local.set $nc (i32.add (local.get $nc) (i32.const 1)))))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (br $cl)))
      (if (i32.and (i32.eqz (local.get $sg)) (i32.gt_u (local.get $nc) (i32.const 0))) (then
        (local.set $nt (call $draw (local.get $word) (local.get $neg) (local.get $prob) (local.get $alias)
          (local.get $V) (local.get $syn1) (local.get $row) (local.get $targets)))
        (local.set $loss (f64.add (local.get $loss) (call $cbowf (local.get $ctx) (local.get $nc) (local.get $targets)
          (local.get $nt) (local.get $alpha) (local.get $neu1) (local.get $e) (local.get $dim) (local.get $mean))))
        (local.set $preds (i32.add (local.get $preds) (i32.const 1)))))
      (local.set $pos (i32.add (local.get $pos) (i32.const 1)))
      (br $wl)))
    (global.set $preds (local.get $preds))
    (local.get $loss))
)
