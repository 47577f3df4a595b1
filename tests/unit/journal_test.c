/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/* Unit tests: the journal's file rules (directory, entries, atomic
 * rewrite, locking), its retry fields, and how a process's liveness is
 * read from /proc (zombies are gone). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "private.h"

#define UUID "0b6a2e6c-1111-2222-3333-444455556666"
#define NAME UUID ".token"

struct fixture {
    char dir[64];   /* the journal directory */
    char path[128]; /* dir/NAME */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/pj-journal-test.XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/" NAME, f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static void write_entry(const struct fixture *f)
{
    struct pj_journal_entry e = {0};
    char err[512], *path = NULL;

    e.url = "https://j";
    e.user = "alice";
    e.uuid = UUID;
    e.token = "11abc";
    e.pid = "42";
    assert_int_equal(pj_journal_write(f->dir, &e, &path, err, sizeof(err)), PJ_OK);
    assert_string_equal(path, f->path);
    free(path);
}

static int read_entry(const struct fixture *f, struct pj_journal_entry *e, char *err,
                      size_t errlen)
{
    int dirfd = pj_journal_open_dir(f->dir, err, errlen), lock = -1, status;

    assert_true(dirfd >= 0);
    status = pj_journal_read_at(dirfd, NAME, e, &lock, err, errlen);
    if (lock >= 0)
        close(lock);
    close(dirfd);
    return status;
}

static void test_retry_fields(void **state)
{
    struct pj_journal_entry e;
    const char *base = "url=https://j\nuser=alice\nuuid=0b6a\ntoken=11abc\n";
    char text[256], err[128];

    (void)state;
    snprintf(text, sizeof(text), "%stries=3\nnext_try=1790000000\nlast_error=x\n",
             base);
    assert_int_equal(pj_journal_parse(&e, text, strlen(text), err, sizeof(err)), 0);
    assert_int_equal(pj_journal_number(e.tries), 3);
    assert_int_equal(pj_journal_number(e.next_try), 1790000000L);
    assert_int_equal(pj_journal_number(e.given_up), 0);
    pj_journal_entry_free(&e);
    snprintf(text, sizeof(text), "%stries=-1\n", base);
    assert_int_equal(pj_journal_parse(&e, text, strlen(text), err, sizeof(err)), -1);
    assert_string_equal(err, "entry has a malformed retry count or time");
    snprintf(text, sizeof(text), "%snext_try=1e9\n", base);
    assert_int_equal(pj_journal_parse(&e, text, strlen(text), err, sizeof(err)), -1);
}

static void test_directory_rules(void **state)
{
    struct fixture *f = *state;
    char err[512], link[96];
    int fd;

    fd = pj_journal_open_dir(f->dir, err, sizeof(err));
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(chmod(f->dir, 0750), 0);
    assert_int_equal(pj_journal_open_dir(f->dir, err, sizeof(err)), -1);
    assert_int_equal(errno, EPERM);
    assert_non_null(strstr(err, "is open to group or others"));
    assert_non_null(strstr(err, "mode 0700"));
    /* The writer applies the same rule. */
    {
        struct pj_journal_entry e = {0};
        char *path = NULL;

        e.url = "https://j";
        e.user = "alice";
        e.uuid = UUID;
        e.token = "11abc";
        assert_int_equal(pj_journal_write(f->dir, &e, &path, err, sizeof(err)), PJ_IO);
        assert_null(path);
    }
    assert_int_equal(chmod(f->dir, 0700), 0);
    if (geteuid() == 0) {
        assert_int_equal(chown(f->dir, 65534, 65534), 0);
        assert_int_equal(pj_journal_open_dir(f->dir, err, sizeof(err)), -1);
        assert_non_null(strstr(err, "has the wrong owner"));
        assert_non_null(strstr(err, "(chown root:root "));
        assert_int_equal(chown(f->dir, 0, 0), 0);
    }
    snprintf(link, sizeof(link), "%s.link", f->dir);
    assert_int_equal(symlink(f->dir, link), 0);
    assert_int_equal(pj_journal_open_dir(link, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "is a symlink or not a directory"));
    unlink(link);
    snprintf(link, sizeof(link), "%s/absent", f->dir);
    assert_int_equal(pj_journal_open_dir(link, err, sizeof(err)), -1);
    assert_int_equal(errno, ENOENT);
}

static void test_entry_rules(void **state)
{
    struct fixture *f = *state;
    struct pj_journal_entry e;
    char err[512], other[160];

    write_entry(f);
    assert_int_equal(read_entry(f, &e, err, sizeof(err)), 0);
    assert_string_equal(e.token, "11abc");
    pj_journal_entry_free(&e);

    assert_int_equal(chmod(f->path, 0640), 0);
    assert_int_equal(read_entry(f, &e, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "mode 0640"));
    assert_int_equal(chmod(f->path, 0600), 0);

    /* A symlink to a good entry is not an entry. */
    snprintf(other, sizeof(other), "%s/elsewhere", f->dir);
    assert_int_equal(rename(f->path, other), 0);
    assert_int_equal(symlink(other, f->path), 0);
    assert_int_equal(read_entry(f, &e, err, sizeof(err)), -1);
    assert_string_equal(err, "a symlink, not an entry");
    unlink(f->path);

    /* A FIFO is refused at once rather than blocking the sweep. */
    assert_int_equal(mkfifo(f->path, 0600), 0);
    assert_int_equal(read_entry(f, &e, err, sizeof(err)), -1);
    assert_string_equal(err, "not a regular file");
    unlink(f->path);
    unlink(other);
}

static void test_lock_and_rewrite(void **state)
{
    struct fixture *f = *state;
    struct pj_journal_entry e, again;
    struct stat st;
    char err[512];
    int dirfd, lock = -1, lock2 = -1;

    write_entry(f);
    dirfd = pj_journal_open_dir(f->dir, err, sizeof(err));
    assert_true(dirfd >= 0);
    assert_int_equal(pj_journal_read_at(dirfd, NAME, &e, &lock, err, sizeof(err)), 0);
    /* A second sweep leaves an entry alone while the first holds it. */
    assert_int_equal(pj_journal_read_at(dirfd, NAME, &again, &lock2, err, sizeof(err)),
                     -1);
    assert_int_equal(errno, EWOULDBLOCK);
    assert_int_equal(lock2, -1);

    e.tries = strdup("2");
    e.next_try = strdup("1790000000");
    assert_int_equal(pj_journal_rewrite(f->dir, NAME, &e, err, sizeof(err)), PJ_OK);
    close(lock);
    pj_journal_entry_free(&e);
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(pj_journal_read_at(dirfd, NAME, &again, &lock2, err, sizeof(err)),
                     0);
    assert_string_equal(again.tries, "2");
    assert_string_equal(again.token, "11abc");
    pj_journal_entry_free(&again);
    close(lock2);
    assert_int_equal(pj_journal_rewrite(f->dir, "../x.token", &again, err, sizeof(err)),
                     PJ_IO);
    close(dirfd);
}

static void test_process_liveness(void **state)
{
    char path[64], *stat_text = NULL, *start;
    pid_t child;
    int i, status;

    (void)state;
    start = pj_process_start_time((long)getpid());
    assert_non_null(start);
    free(start);
    assert_null(pj_process_start_time(0));
    assert_true(pj_boot_time() > 0);

    /* A child that has exited and is not reaped yet is a zombie: gone. */
    child = fork();
    assert_true(child >= 0);
    if (child == 0)
        _exit(0);
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)child);
    for (i = 0; i < 200; i++) {
        const char *p;

        free(stat_text);
        stat_text = pj_read_file(path, 4096, NULL);
        assert_non_null(stat_text);
        p = strrchr(stat_text, ')');
        if (p != NULL && p[2] == 'Z')
            break;
        usleep(10000);
    }
    assert_true(i < 200);
    free(stat_text);
    assert_null(pj_process_start_time((long)child));
    assert_int_equal(waitpid(child, &status, 0), child);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_fields),
        cmocka_unit_test_setup_teardown(test_directory_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_entry_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_and_rewrite, setup, teardown),
        cmocka_unit_test(test_process_liveness),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
