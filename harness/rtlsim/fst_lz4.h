/* granule — forced into Verilator's verilated_fst_c.cpp (the FST writer of
 * `granule diff --waves`), which compiles GTKWave's bundled copy of LZ4
 * 1.7 with external C names. Linked into `granule` beside the system's
 * liblz4 1.9 (the VM layer's compressor, model/src/vmcomp.c), those names
 * would take the compressor's calls: a 1.7 LZ4_createStream() feeding a
 * 1.9 LZ4_resetStream_fast(). Every function the bundled lz4.c defines is
 * renamed here so the two never meet (rtlsim_no_lz4_clash checks that
 * `granule` defines no LZ4_ symbol). */
#ifndef GRANULE_FST_LZ4_H
#define GRANULE_FST_LZ4_H
#define LZ4_compress gr_fst_LZ4_compress
#define LZ4_compressBound gr_fst_LZ4_compressBound
#define LZ4_compress_continue gr_fst_LZ4_compress_continue
#define LZ4_compress_default gr_fst_LZ4_compress_default
#define LZ4_compress_destSize gr_fst_LZ4_compress_destSize
#define LZ4_compress_fast gr_fst_LZ4_compress_fast
#define LZ4_compress_fast_continue gr_fst_LZ4_compress_fast_continue
#define LZ4_compress_fast_extState gr_fst_LZ4_compress_fast_extState
#define LZ4_compress_fast_force gr_fst_LZ4_compress_fast_force
#define LZ4_compress_forceExtDict gr_fst_LZ4_compress_forceExtDict
#define LZ4_compress_limitedOutput gr_fst_LZ4_compress_limitedOutput
#define LZ4_compress_limitedOutput_continue gr_fst_LZ4_compress_limitedOutput_continue
#define LZ4_compress_limitedOutput_withState gr_fst_LZ4_compress_limitedOutput_withState
#define LZ4_compress_withState gr_fst_LZ4_compress_withState
#define LZ4_create gr_fst_LZ4_create
#define LZ4_createStream gr_fst_LZ4_createStream
#define LZ4_createStreamDecode gr_fst_LZ4_createStreamDecode
#define LZ4_decompress_fast gr_fst_LZ4_decompress_fast
#define LZ4_decompress_fast_continue gr_fst_LZ4_decompress_fast_continue
#define LZ4_decompress_fast_usingDict gr_fst_LZ4_decompress_fast_usingDict
#define LZ4_decompress_fast_withPrefix64k gr_fst_LZ4_decompress_fast_withPrefix64k
#define LZ4_decompress_safe gr_fst_LZ4_decompress_safe
#define LZ4_decompress_safe_continue gr_fst_LZ4_decompress_safe_continue
#define LZ4_decompress_safe_forceExtDict gr_fst_LZ4_decompress_safe_forceExtDict
#define LZ4_decompress_safe_partial gr_fst_LZ4_decompress_safe_partial
#define LZ4_decompress_safe_usingDict gr_fst_LZ4_decompress_safe_usingDict
#define LZ4_decompress_safe_withPrefix64k gr_fst_LZ4_decompress_safe_withPrefix64k
#define LZ4_freeStream gr_fst_LZ4_freeStream
#define LZ4_freeStreamDecode gr_fst_LZ4_freeStreamDecode
#define LZ4_loadDict gr_fst_LZ4_loadDict
#define LZ4_resetStream gr_fst_LZ4_resetStream
#define LZ4_resetStreamState gr_fst_LZ4_resetStreamState
#define LZ4_saveDict gr_fst_LZ4_saveDict
#define LZ4_setStreamDecode gr_fst_LZ4_setStreamDecode
#define LZ4_sizeofState gr_fst_LZ4_sizeofState
#define LZ4_sizeofStreamState gr_fst_LZ4_sizeofStreamState
#define LZ4_slideInputBuffer gr_fst_LZ4_slideInputBuffer
#define LZ4_uncompress gr_fst_LZ4_uncompress
#define LZ4_uncompress_unknownOutputSize gr_fst_LZ4_uncompress_unknownOutputSize
#define LZ4_versionNumber gr_fst_LZ4_versionNumber
#endif
