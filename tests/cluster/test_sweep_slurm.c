/*
 * The Slurm sweep backend's results directory (harness/sweep/sweep_slurm.h,
 * docs/sweep.md "Slurm backend"), without Slurm: the array task body is
 * called directly on a task list written here, squeue is not asked.
 *
 * Golden values: the manifest's trace checksum is recomputed here with
 * libxxhash over the file; each collected row is compared with the row
 * gr_sweep_run_point() writes for the same point in this process (all but
 * the last column, `seconds`, a wall time); the refusals are the ones
 * docs/sweep.md promises.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <xxhash.h>

#include "sweep.h"
#include "sweep_slurm.h"

static char err[2048];
static char dir[256], trace[300];

static void copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    assert_non_null(a);
    assert_non_null(b);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, a)) > 0)
        assert_int_equal(fwrite(buf, 1, n, b), n);
    fclose(a);
    assert_int_equal(fclose(b), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_sweep_slurm.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(trace, sizeof trace, "%s/sort.grt", dir);
    copy_file(CORPUS_DIR "/sort.grt", trace);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static gr_sweep *grid(const char *axis)
{
    gr_sweep *s = gr_sweep_create();
    assert_non_null(s);
    assert_int_equal(gr_sweep_add_base(s, "a76", err, sizeof err), 0);
    assert_int_equal(gr_sweep_add_axis(s, axis, err, sizeof err), 0);
    assert_int_equal(gr_sweep_add_trace(s, trace, err, sizeof err), 0);
    gr_replay_opts o;
    gr_replay_opts_default(&o);
    o.limit = 5000;
    gr_sweep_set_opts(s, &o);
    assert_int_equal(gr_sweep_expand(s, true, NULL, err, sizeof err), 0);
    return s;
}

static const gr_sweep_slurm_opts opts = {.points_per_task = 1, .version = "test"};

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The row without its last column. */
static char *cut_seconds(const char *row)
{
    char *r = strdup(row), *c = strrchr(r, ',');
    assert_non_null(c);
    *c = '\0';
    return r;
}

static void test_sweep_slurm_directory(void **state)
{
    (void)state;
    char rdir[300];
    snprintf(rdir, sizeof rdir, "%s/res", dir);
    gr_sweep *s = grid("l1d.entries=16,32");
    gr_sweep_slurm *d = gr_sweep_slurm_prepare(s, rdir, &opts, err, sizeof err);
    assert_non_null(d);
    assert_int_equal(strlen(gr_sweep_slurm_id(d)), 16);
    assert_int_equal(gr_sweep_count(gr_sweep_slurm_sweep(d)), 2);

    /* the manifest's checksum of the trace, recomputed */
    char mpath[400];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", rdir);
    json_t *m = json_load_file(mpath, 0, NULL);
    assert_non_null(m);
    json_t *t0 = json_array_get(json_object_get(m, "traces"), 0);
    FILE *f = fopen(trace, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)size);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    char want[17];
    snprintf(want, sizeof want, "%016llx", (unsigned long long)XXH64(buf, (size_t)size, 0));
    free(buf);
    assert_string_equal(json_string_value(json_object_get(t0, "xxh64")), want);
    assert_int_equal(json_integer_value(json_object_get(t0, "size")), size);
    assert_string_equal(json_string_value(json_object_get(m, "granule_version")), "test");
    json_decref(m);

    /* reopened: the same id; the same sweep again: the same directory */
    gr_sweep_slurm *d2 = gr_sweep_slurm_open(rdir, err, sizeof err);
    assert_non_null(d2);
    assert_string_equal(gr_sweep_slurm_id(d2), gr_sweep_slurm_id(d));
    gr_sweep_slurm_close(d2);
    d2 = gr_sweep_slurm_prepare(s, rdir, &opts, err, sizeof err);
    assert_non_null(d2);
    assert_string_equal(gr_sweep_slurm_id(d2), gr_sweep_slurm_id(d));
    gr_sweep_slurm_close(d2);

    /* another grid, or another granule version: refused */
    gr_sweep *other = grid("l1d.entries=8");
    assert_null(gr_sweep_slurm_prepare(other, rdir, &opts, err, sizeof err));
    assert_non_null(strstr(err, "refusing to mix"));
    gr_sweep_destroy(other);
    gr_sweep_slurm_opts o2 = opts;
    o2.version = "test2";
    assert_null(gr_sweep_slurm_prepare(s, rdir, &o2, err, sizeof err));
    assert_non_null(strstr(err, "refusing to mix"));

    /* submission 0, written by hand: one task with both points */
    char tpath[400];
    snprintf(tpath, sizeof tpath, "%s/slurm/0.tasks", rdir);
    write_text(tpath, "0 1\n");
    assert_int_equal(gr_sweep_slurm_run_task(d, "0123456789abcdef", 0, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "refusing to mix"));
    assert_int_equal(gr_sweep_slurm_run_task(d, gr_sweep_slurm_id(d), 0, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "no task 1"));
    assert_int_equal(gr_sweep_slurm_run_task(d, gr_sweep_slurm_id(d), 0, 0, err, sizeof err), 0);

    gr_sweep_slurm_point pts[2];
    assert_int_equal(gr_sweep_slurm_scan(d, false, pts, err, sizeof err), 0);
    assert_int_equal(pts[0].state, GR_SWEEP_SLURM_DONE);
    assert_int_equal(pts[1].state, GR_SWEEP_SLURM_DONE);
    char *out = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&out, &len);
    assert_int_equal(gr_sweep_slurm_collect(d, pts, mf, err, sizeof err), 0);
    fclose(mf);
    /* header, then each point's row as gr_sweep_run_point writes it */
    char *want_text = NULL;
    size_t wlen = 0;
    mf = open_memstream(&want_text, &wlen);
    gr_sweep_csv_header(s, mf);
    fclose(mf);
    assert_int_equal(strncmp(out, want_text, wlen), 0);
    char *line = out + wlen;
    for (size_t i = 0; i < 2; i++) {
        char *row = NULL;
        size_t rl = 0;
        mf = open_memstream(&row, &rl);
        assert_int_equal(gr_sweep_run_point(s, i, mf, err, sizeof err), 0);
        fclose(mf);
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        row[strcspn(row, "\n")] = '\0';
        char *a = cut_seconds(line), *b = cut_seconds(row);
        assert_string_equal(a, b);
        free(a);
        free(b);
        free(row);
        line = nl + 1;
    }
    assert_string_equal(line, "");
    free(out);
    free(want_text);

    /* the trace changes: checked, and the task fails its points */
    FILE *tf = fopen(trace, "ab");
    assert_non_null(tf);
    fputc('x', tf);
    fclose(tf);
    assert_int_equal(gr_sweep_slurm_check_traces(d, err, sizeof err), -1);
    assert_non_null(strstr(err, "changed since the sweep was submitted"));
    gr_sweep_slurm_close(d);
    d = gr_sweep_slurm_open(rdir, err, sizeof err);
    assert_non_null(d);
    char rpath[400];
    snprintf(rpath, sizeof rpath, "%s/results/1.csv", rdir);
    assert_int_equal(unlink(rpath), 0);
    snprintf(rpath, sizeof rpath, "%s/results/1.json", rdir);
    assert_int_equal(unlink(rpath), 0);
    write_text(tpath, "1\n");
    assert_int_equal(gr_sweep_slurm_run_task(d, gr_sweep_slurm_id(d), 0, 0, err, sizeof err), 2);
    assert_int_equal(gr_sweep_slurm_scan(d, false, pts, err, sizeof err), 0);
    assert_int_equal(pts[0].state, GR_SWEEP_SLURM_DONE);
    assert_int_equal(pts[1].state, GR_SWEEP_SLURM_FAILED);
    assert_int_equal(pts[1].exit_code, 2);
    assert_int_equal(pts[1].task, 0);
    assert_non_null(strstr(pts[1].error, "changed since the sweep was submitted"));

    /* a foreign file in results/ */
    snprintf(rpath, sizeof rpath, "%s/results/x.csv", rdir);
    write_text(rpath, "x\n");
    assert_int_equal(gr_sweep_slurm_scan(d, false, pts, err, sizeof err), -1);
    assert_non_null(strstr(err, "results/x.csv: not a result of this sweep"));

    gr_sweep_slurm_close(d);
    gr_sweep_slurm_close(NULL);
    gr_sweep_destroy(s);
}

static void test_sweep_slurm_open_errors(void **state)
{
    (void)state;
    assert_null(gr_sweep_slurm_open(dir, err, sizeof err));
    assert_non_null(strstr(err, "no manifest"));
    char p[400];
    snprintf(p, sizeof p, "%s/nonexistent", dir);
    assert_null(gr_sweep_slurm_open(p, err, sizeof err));
    assert_non_null(strstr(err, p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sweep_slurm_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweep_slurm_open_errors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
