;; Hand-written wasm SIMD kernels that run on tfjs-backend-wasm's own heap (the memory is
;; imported, so tensors are read and written in place). Assembled by `npm run build:simd` into
;; kernelsBinary.ts; src/cli/simdAssemble.test.ts checks that the committed bytes are
;; this file's. Every pointer is a byte offset into that heap; every tensor is float32.
(module
  (import "env" "memory" (memory 1))

  ;; The filter gradient of a conv, NHWC, dilation 1:
  ;;   out[kh, kw, c, o] += sum over m, i, j of x[m, s*i + kh, s*j + kw, c] * dy[m, i, j, o]
  ;; for m < n, i < oh, j < ow. x is already padded (its top/left pads are the forward conv's,
  ;; and it has rows and columns enough for every tap), ci is a multiple of 4 and co of 8.
  ;; out [fh, fw, ci, co] is accumulated into, so the caller zeroes it.
  ;;
  ;; Tiles of 4 input channels x 8 output channels stay in 8 registers over one image's
  ;; positions: per position, one load of 4 x values, two of 8 dy values, 4 lane splats,
  ;; 8 multiplies and 8 adds. One image's x and dy stay in cache across its tiles, and nothing
  ;; is packed or copied first (XNNPACK, given dy as a weight, repacks it on every call).
  (func (export "convFilterGrad")
    (param $x i32) (param $dy i32) (param $out i32)
    (param $n i32) (param $hp i32) (param $wp i32) (param $ci i32)
    (param $oh i32) (param $ow i32) (param $co i32) (param $s i32)
    (param $fh i32) (param $fw i32)
    (local $m i32) (local $kh i32) (local $kw i32) (local $cb i32) (local $ob i32)
    (local $i i32) (local $j i32)
    (local $xp i32) (local $dp i32) (local $op i32)
    (local $xstep i32) (local $dstep i32) (local $orow i32)
    (local $a v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $d0 v128) (local $d1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $xstep (i32.shl (i32.mul (local.get $s) (local.get $ci)) (i32.const 2)))
    (local.set $dstep (i32.shl (local.get $co) (i32.const 2)))
    (local.set $orow (i32.shl (local.get $co) (i32.const 2)))
    (local.set $m (i32.const 0))
    (block $images_done (loop $images
      (br_if $images_done (i32.ge_u (local.get $m) (local.get $n)))
      (local.set $kh (i32.const 0))
      (block $kh_done (loop $khs
        (br_if $kh_done (i32.ge_u (local.get $kh) (local.get $fh)))
        (local.set $kw (i32.const 0))
        (block $kw_done (loop $kws
          (br_if $kw_done (i32.ge_u (local.get $kw) (local.get $fw)))
          (local.set $cb (i32.const 0))
          (block $cb_done (loop $cbs
            (br_if $cb_done (i32.ge_u (local.get $cb) (local.get $ci)))
            (local.set $ob (i32.const 0))
            (block $ob_done (loop $obs
              (br_if $ob_done (i32.ge_u (local.get $ob) (local.get $co)))
              ;; out row (kh, kw, cb) starts at ((kh * fw + kw) * ci + cb) * co + ob floats
              (local.set $op (i32.add (local.get $out) (i32.shl
                (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $fw)) (local.get $kw)) (local.get $ci)) (local.get $cb)) (local.get $co)) (local.get $ob))
                (i32.const 2))))
              (local.set $c00 (v128.load offset=0 (local.get $op)))
              (local.set $c01 (v128.load offset=16 (local.get $op)))
              (local.set $c10 (v128.load offset=0 (i32.add (local.get $op) (local.get $orow))))
              (local.set $c11 (v128.load offset=16 (i32.add (local.get $op) (local.get $orow))))
              (local.set $c20 (v128.load offset=0 (i32.add (local.get $op) (i32.shl (local.get $orow) (i32.const 1)))))
              (local.set $c21 (v128.load offset=16 (i32.add (local.get $op) (i32.shl (local.get $orow) (i32.const 1)))))
              (local.set $c30 (v128.load offset=0 (i32.add (local.get $op) (i32.mul (local.get $orow) (i32.const 3)))))
              (local.set $c31 (v128.load offset=16 (i32.add (local.get $op) (i32.mul (local.get $orow) (i32.const 3)))))
              (local.set $i (i32.const 0))
              (block $i_done (loop $is
                (br_if $i_done (i32.ge_u (local.get $i) (local.get $oh)))
                ;; x[m, s*i + kh, kw, cb] and dy[m, i, 0, ob]
                (local.set $xp (i32.add (local.get $x) (i32.shl
                  (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $m) (local.get $hp)) (i32.add (i32.mul (local.get $s) (local.get $i)) (local.get $kh))) (local.get $wp)) (local.get $kw)) (local.get $ci)) (local.get $cb))
                  (i32.const 2))))
                (local.set $dp (i32.add (local.get $dy) (i32.shl
                  (i32.add (i32.mul (i32.mul (i32.add (i32.mul (local.get $m) (local.get $oh)) (local.get $i)) (local.get $ow)) (local.get $co)) (local.get $ob))
                  (i32.const 2))))
                (local.set $j (local.get $ow))
                (loop $js
                  (local.set $a (v128.load (local.get $xp)))
                  (local.set $d0 (v128.load offset=0 (local.get $dp)))
                  (local.set $d1 (v128.load offset=16 (local.get $dp)))
                  (local.set $a0 (i8x16.shuffle 0 1 2 3 0 1 2 3 0 1 2 3 0 1 2 3 (local.get $a) (local.get $a)))
                  (local.set $a1 (i8x16.shuffle 4 5 6 7 4 5 6 7 4 5 6 7 4 5 6 7 (local.get $a) (local.get $a)))
                  (local.set $a2 (i8x16.shuffle 8 9 10 11 8 9 10 11 8 9 10 11 8 9 10 11 (local.get $a) (local.get $a)))
                  (local.set $a3 (i8x16.shuffle 12 13 14 15 12 13 14 15 12 13 14 15 12 13 14 15 (local.get $a) (local.get $a)))
                  (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $a0) (local.get $d0))))
                  (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $a0) (local.get $d1))))
                  (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $a1) (local.get $d0))))
                  (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $a1) (local.get $d1))))
                  (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $a2) (local.get $d0))))
                  (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $a2) (local.get $d1))))
                  (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $a3) (local.get $d0))))
                  (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $a3) (local.get $d1))))
                  (local.set $xp (i32.add (local.get $xp) (local.get $xstep)))
                  (local.set $dp (i32.add (local.get $dp) (local.get $dstep)))
                  (local.set $j (i32.sub (local.get $j) (i32.const 1)))
                  (br_if $js (local.get $j)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $is)))
              (v128.store offset=0 (local.get $op) (local.get $c00))
              (v128.store offset=16 (local.get $op) (local.get $c01))
              (v128.store offset=0 (i32.add (local.get $op) (local.get $orow)) (local.get $c10))
              (v128.store offset=16 (i32.add (local.get $op) (local.get $orow)) (local.get $c11))
              (v128.store offset=0 (i32.add (local.get $op) (i32.shl (local.get $orow) (i32.const 1))) (local.get $c20))
              (v128.store offset=16 (i32.add (local.get $op) (i32.shl (local.get $orow) (i32.const 1))) (local.get $c21))
              (v128.store offset=0 (i32.add (local.get $op) (i32.mul (local.get $orow) (i32.const 3))) (local.get $c30))
              (v128.store offset=16 (i32.add (local.get $op) (i32.mul (local.get $orow) (i32.const 3))) (local.get $c31))
              (local.set $ob (i32.add (local.get $ob) (i32.const 8)))
              (br $obs)))
            (local.set $cb (i32.add (local.get $cb) (i32.const 4)))
            (br $cbs)))
          (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
          (br $kws)))
        (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
        (br $khs)))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $images)))
  )
)
