;; Passes over a row of float32 logits, two or four entries at a time (WebAssembly SIMD), each giving bit for bit
;; what its scalar loop in log-softmax.ts gives: the normaliser's two passes (the same operations in the same order
;; in IEEE double precision, the sums still taken entry by entry in index order), and top-k's skipping of entries
;; that cannot get in. Built into logit-rows-wasm-bytes.ts by `npm run build:wasm`.
;;
;; Memory: 2^(-j/256) for j = 0 … 255 at 0, 2^-k for k = 0 … 1077 at 2048 (both written by the loader, from the
;; tables exp-non-positive.ts uses), the logits from 16384 on.
(module
  (memory (export "memory") 1)
  (global $weighted (export "weighted") (mut f64) (f64.const 0))

  ;; The first index holding the largest logit, as a scan keeping only strictly larger values finds it; -1 when
  ;; nothing is larger than -Infinity (empty, all -Infinity or NaN).
  (func (export "maxIndex") (param $ptr i32) (param $len i32) (result i32)
    (local $i i32) (local $end4 i32) (local $acc v128) (local $max f32) (local $x f32) (local $target v128)
    (local.set $acc (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $end4 (i32.and (local.get $len) (i32.const -4)))
    (block $done
      (loop $quad
        (br_if $done (i32.ge_u (local.get $i) (local.get $end4)))
        ;; pmax(acc, x) = acc < x ? x : acc: a NaN never replaces, like the scan's strict comparison
        (local.set $acc
          (f32x4.pmax (local.get $acc) (v128.load (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $quad)))
    (local.set $max (f32.const -inf))
    (local.set $x (f32x4.extract_lane 0 (local.get $acc)))
    (if (f32.gt (local.get $x) (local.get $max)) (then (local.set $max (local.get $x))))
    (local.set $x (f32x4.extract_lane 1 (local.get $acc)))
    (if (f32.gt (local.get $x) (local.get $max)) (then (local.set $max (local.get $x))))
    (local.set $x (f32x4.extract_lane 2 (local.get $acc)))
    (if (f32.gt (local.get $x) (local.get $max)) (then (local.set $max (local.get $x))))
    (local.set $x (f32x4.extract_lane 3 (local.get $acc)))
    (if (f32.gt (local.get $x) (local.get $max)) (then (local.set $max (local.get $x))))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $x (f32.load (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2)))))
        (if (f32.gt (local.get $x) (local.get $max)) (then (local.set $max (local.get $x))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (if (i32.eqz (f32.gt (local.get $max) (f32.const -inf))) (then (return (i32.const -1))))
    ;; the first entry equal to it (-0 and +0 are equal here: the caller reads the value back from that index)
    (local.set $target (f32x4.splat (local.get $max)))
    (local.set $i (i32.const 0))
    (block $found
      (loop $find
        (br_if $found (i32.ge_u (local.get $i) (local.get $end4)))
        (br_if $found
          (v128.any_true
            (f32x4.eq (local.get $target) (v128.load (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $find)))
    (loop $exact
      (if (f32.eq (local.get $max) (f32.load (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2)))))
        (then (return (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $exact (i32.lt_u (local.get $i) (local.get $len))))
    (i32.const -1))

  ;; Σ exp(x - max) over the logits, and Σ exp(x - max)·(x - max) into `weighted`: expNonPositive's formula two
  ;; entries at a time, entries at or below the underflow bound (-746) left out, the sums in index order.
  (func (export "expSums") (param $ptr i32) (param $len i32) (param $max f64) (result f64)
    (local $i i32) (local $end2 i32) (local $v v128) (local $lanes v128) (local $x v128) (local $keep v128)
    (local $clamped v128) (local $n v128) (local $nd v128) (local $r v128) (local $p v128) (local $e v128)
    (local $term v128) (local $n0 i32) (local $n1 i32) (local $sum f64) (local $w f64)
    (local.set $end2 (i32.and (local.get $len) (i32.const -2)))
    (local.set $lanes (v128.const i64x2 -1 -1))
    (block $done
      (loop $pair
        (if (i32.lt_u (local.get $i) (local.get $end2))
          (then
            (local.set $v (v128.load64_zero (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2))))))
          (else
            ;; an odd last entry: the second lane is left out of the sums
            (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
            (local.set $v (v128.load32_zero (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2)))))
            (local.set $lanes (v128.const i64x2 -1 0))))
        (local.set $x (f64x2.sub (f64x2.promote_low_f32x4 (local.get $v)) (f64x2.splat (local.get $max))))
        ;; !(x <= -746): NaN stays in (and makes the sums NaN, as in the scalar loop)
        (local.set $keep
          (v128.and (v128.not (f64x2.le (local.get $x) (v128.const f64x2 -746 -746))) (local.get $lanes)))
        ;; lanes left out still index the tables: keep them inside -746 … 0 (kept lanes are there already)
        (local.set $clamped
          (f64x2.pmin (f64x2.pmax (local.get $x) (v128.const f64x2 -746 -746)) (v128.const f64x2 0 0)))
        ;; n = (0.5 - x·256/ln2) | 0
        (local.set $n
          (i32x4.trunc_sat_f64x2_s_zero
            (f64x2.sub (v128.const f64x2 0.5 0.5)
              (f64x2.mul (local.get $clamped) (v128.const f64x2 0x1.71547652b82fep+8 0x1.71547652b82fep+8)))))
        (local.set $nd (f64x2.convert_low_i32x4_s (local.get $n)))
        ;; r = x + n·LN2_256_HI + n·LN2_256_LO
        (local.set $r
          (f64x2.add
            (f64x2.add (local.get $clamped)
              (f64x2.mul (local.get $nd) (v128.const f64x2 0x1.62e42feep-9 0x1.62e42feep-9)))
            (f64x2.mul (local.get $nd) (v128.const f64x2 0x1.a39ef35793c76p-41 0x1.a39ef35793c76p-41))))
        ;; p = 1 + r·(1 + r·(1/2 + r·(1/6 + r/24)))
        (local.set $p
          (f64x2.add (v128.const f64x2 1 1)
            (f64x2.mul (local.get $r)
              (f64x2.add (v128.const f64x2 1 1)
                (f64x2.mul (local.get $r)
                  (f64x2.add (v128.const f64x2 0.5 0.5)
                    (f64x2.mul (local.get $r)
                      (f64x2.add (v128.const f64x2 0x1.5555555555555p-3 0x1.5555555555555p-3)
                        (f64x2.div (local.get $r) (v128.const f64x2 24 24))))))))))
        (local.set $n0 (i32x4.extract_lane 0 (local.get $n)))
        (local.set $n1 (i32x4.extract_lane 1 (local.get $n)))
        ;; e = p · 2^(-(n & 255)/256) · 2^-(n >> 8)
        (local.set $e
          (f64x2.mul
            (f64x2.mul (local.get $p)
              (f64x2.replace_lane 1
                (f64x2.splat (f64.load (i32.shl (i32.and (local.get $n0) (i32.const 255)) (i32.const 3))))
                (f64.load (i32.shl (i32.and (local.get $n1) (i32.const 255)) (i32.const 3)))))
            (f64x2.replace_lane 1
              (f64x2.splat (f64.load offset=2048 (i32.shl (i32.shr_s (local.get $n0) (i32.const 8)) (i32.const 3))))
              (f64.load offset=2048 (i32.shl (i32.shr_s (local.get $n1) (i32.const 8)) (i32.const 3))))))
        ;; lanes left out add +0, which leaves both sums as they are (neither is ever -0)
        (local.set $term (v128.and (f64x2.mul (local.get $e) (local.get $x)) (local.get $keep)))
        (local.set $e (v128.and (local.get $e) (local.get $keep)))
        (local.set $sum (f64.add (local.get $sum) (f64x2.extract_lane 0 (local.get $e))))
        (local.set $sum (f64.add (local.get $sum) (f64x2.extract_lane 1 (local.get $e))))
        (local.set $w (f64.add (local.get $w) (f64x2.extract_lane 0 (local.get $term))))
        (local.set $w (f64.add (local.get $w) (f64x2.extract_lane 1 (local.get $term))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pair)))
    (global.set $weighted (local.get $w))
    (local.get $sum))
  ;; The first index at or after `from` whose entry is not at or below `threshold` (NaN entries count as above), or
  ;; `len`: the scan of a top-k, which skips the entries that cannot get in, two at a time. Compared in double
  ;; precision, as the scalar scan compares them.
  (func (export "nextAbove") (param $ptr i32) (param $from i32) (param $len i32) (param $threshold f64) (result i32)
    (local $i i32) (local $end2 i32) (local $bar v128)
    (local.set $bar (f64x2.splat (local.get $threshold)))
    (local.set $i (local.get $from))
    (local.set $end2 (i32.sub (local.get $len) (i32.const 1)))
    (block $hit
      (loop $pair
        (br_if $hit (i32.ge_s (local.get $i) (local.get $end2)))
        (br_if $hit
          (v128.any_true
            (v128.not
              (f64x2.le
                (f64x2.promote_low_f32x4
                  (v128.load64_zero (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2)))))
                (local.get $bar)))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pair)))
    ;; the pair that holds it, or the last entry
    (block $none
      (loop $one
        (br_if $none (i32.ge_s (local.get $i) (local.get $len)))
        (if (i32.eqz
              (f64.le (f64.promote_f32 (f32.load (i32.add (local.get $ptr) (i32.shl (local.get $i) (i32.const 2)))))
                (local.get $threshold)))
          (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $one)))
    (local.get $len))
)
