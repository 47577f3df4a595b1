/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The sweep: revoke the journalled tokens of sessions that are gone.  An
 * entry belongs to a dead session when this is another boot, or its process
 * no longer exists or is a zombie, or a different process now has its pid
 * (start times differ).  Used by `jenkins-token sweep` (the systemd timer)
 * and, bounded, at every session open, so a crash, kill -9, reboot or an
 * unreachable controller at logout leaves no live token once the controller
 * answers.
 *
 * It runs as root, so nothing it reads may steer it: the journal directory
 * must pass the writer's checks (lib/journal.c) or nothing is read, and an
 * entry is only ever revoked at the configured controller, with the
 * configured trust store and proxy, never with the entry's own.
 *
 * A failed revoke is tried again later, with growing pauses, so the sweep at
 * session open never spends time on an entry that failed recently.  Failures
 * that waiting cannot heal (403, 404: the user or the permission is gone; an
 * entry for a controller that is not the configured one) are given up after
 * GIVE_UP_AFTER of them: the entry stays on disk, marked, because its token
 * may still be live, and jenkins-token sweep lists it for the admin.
 */
#include "config.h"

#include <dirent.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "private.h"

/* Seconds before the next try after the 1st, 2nd... failure; the last one
 * repeats.  A restarting controller is back within minutes, one down for
 * maintenance within hours; after that once a day is enough. */
static const long backoff[] = {60, 300, 1800, 7200, 43200, 86400};
#define BACKOFF_STEPS ((long)(sizeof(backoff) / sizeof(backoff[0])))
/* With the pauses above the 8th try comes about 2.6 days after the first. */
#define GIVE_UP_AFTER 8

struct run {
    const struct pj_sweep *opts;
    struct pj_sweep_result *result;
    int dirfd;
    char *boot_id;
    time_t boot_time;
    time_t now;
    time_t deadline;
    int attempted;
};

static bool parse_pid(const char *s, long *pid)
{
    char *end;

    if (s == NULL || *s < '1' || *s > '9')
        return false;
    errno = 0;
    *pid = strtol(s, &end, 10);
    return errno == 0 && *end == '\0' && *pid > 0 && *pid <= 0x3fffffff;
}

/* An entry written without a boot id (no /proc at session open) still
 * tells its boot by its creation time. */
static bool created_before_boot(const char *created, time_t boot_time)
{
    struct tm tm;
    const char *end;

    if (created == NULL || boot_time == 0)
        return false;
    memset(&tm, 0, sizeof(tm));
    end = strptime(created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return end != NULL && *end == '\0' && timegm(&tm) < boot_time;
}

static bool session_gone(const struct run *run, const struct pj_journal_entry *entry)
{
    char *start;
    long pid;
    bool gone;

    if (entry->boot_id != NULL) {
        if (strcmp(entry->boot_id, run->boot_id) != 0)
            return true;
    } else if (created_before_boot(entry->created, run->boot_time)) {
        return true;
    }
    /* keyring = user: dead once none of the sessions sharing it lives. */
    if (entry->key_name != NULL)
        return !pj_holders_live(entry->holders);
    /* No session can ever claim an entry without a usable pid. */
    if (!parse_pid(entry->pid, &pid))
        return true;
    start = pj_process_start_time(pid);
    if (start == NULL)
        return true; /* gone, or a zombie nobody reaps */
    /* Without a start time (no /proc at session open) a reused pid cannot
     * be told from the session's own process: keep the token while the pid
     * lives rather than revoke a live session's token. */
    gone = entry->start_time != NULL && strcmp(start, entry->start_time) != 0;
    free(start);
    return gone;
}

static const char *delay_text(long seconds, char *buf, size_t len)
{
    if (seconds >= 86400)
        snprintf(buf, len, "%ld day%s", seconds / 86400,
                 seconds >= 2L * 86400 ? "s" : "");
    else if (seconds >= 3600)
        snprintf(buf, len, "%ld h", seconds / 3600);
    else
        snprintf(buf, len, "%ld min", seconds / 60);
    return buf;
}

static int set_field(char **slot, long value)
{
    char *fresh = pj_strdup_printf("%ld", value);

    if (fresh == NULL)
        return -1;
    free(*slot);
    *slot = fresh;
    return 0;
}

/* A one-line, printable copy for the entry's last_error field. */
static char *one_line(const char *text)
{
    char *copy = strndup(text, 300), *p;

    for (p = copy; p != NULL && *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return copy;
}

static void report_given_up(const struct run *run, const char *path,
                            const struct pj_journal_entry *entry)
{
    run->result->given_up++;
    if (run->opts->given_up != NULL)
        run->opts->given_up(run->opts->given_up_ctx, path, entry);
}

/* Record a failed try in the entry: when to try again, or that it is given
 * up.  hard: a failure that waiting cannot heal. */
static void failed_try(struct run *run, const char *name, const char *path,
                       struct pj_journal_entry *entry, bool hard, const char *why)
{
    const struct pj_logger *log = run->opts->log;
    long tries = pj_journal_number(entry->tries) + 1;
    long hard_failures = pj_journal_number(entry->hard_failures) + (hard ? 1 : 0);
    long delay = backoff[(tries < BACKOFF_STEPS ? tries : BACKOFF_STEPS) - 1];
    bool give_up = hard && hard_failures >= GIVE_UP_AFTER;
    char err[512], when[32], note[128] = "", *id = pj_url_encode_segment(entry->user);
    char *base = pj_url_normalise_base(entry->url);

    free(entry->last_error);
    entry->last_error = one_line(why);
    free(entry->next_try);
    entry->next_try = NULL;
    if (entry->last_error == NULL || set_field(&entry->tries, tries) < 0 ||
        set_field(&entry->hard_failures, hard_failures) < 0 ||
        set_field(&entry->last_try, (long)run->now) < 0 ||
        (give_up ? set_field(&entry->given_up, (long)run->now)
                 : set_field(&entry->next_try, (long)run->now + delay)) < 0) {
        pj_log(log, LOG_ERR, "sweep: out of memory recording a failed try in %s", path);
        run->result->failed++;
        goto done;
    }
    if (give_up) {
        pj_log(log, LOG_ERR,
               "sweep: giving up on token %s (\"%s\") of %s on %s after %ld tries, "
               "the last: %s; it may still be live: revoke it by hand on "
               "%s/user/%s/security/ and delete %s",
               entry->uuid, entry->token_name != NULL ? entry->token_name : "?",
               entry->user, entry->url, tries, why, base != NULL ? base : entry->url,
               id != NULL ? id : entry->user, path);
        report_given_up(run, path, entry);
    } else {
        if (hard)
            snprintf(note, sizeof(note),
                     " (waiting will not heal this: %ld of %d such failures before "
                     "it is given up)",
                     hard_failures, GIVE_UP_AFTER);
        pj_log(
            log, LOG_WARNING,
            "sweep: could not revoke token %s of %s on %s: %s; try %ld, next in %s%s",
            entry->uuid, entry->user, entry->url, why, tries,
            delay_text(delay, when, sizeof(when)), note);
        run->result->failed++;
    }
    if (pj_journal_rewrite(run->opts->journal_dir, name, entry, err, sizeof(err)) !=
        PJ_OK)
        pj_log(log, LOG_ERR, "sweep: cannot record the failed try in %s: %s", path,
               err);

done:
    free(id);
    free(base);
}

/* An intent whose session is gone: the generate request went out and no
 * answer came back, so a token of that name may be live.  Nothing here can
 * revoke it (no token, no password); say so, loudly and once, with the page
 * where an admin can, and keep the entry until someone has. */
static void give_up_intent(struct run *run, const char *name, const char *path,
                           struct pj_journal_entry *entry)
{
    const struct pj_logger *log = run->opts->log;
    char err[512], *id = pj_url_encode_segment(entry->user);
    char *base = pj_url_normalise_base(entry->url);

    if (set_field(&entry->given_up, (long)run->now) < 0) {
        run->result->failed++;
        goto done;
    }
    pj_log(log, LOG_ERR,
           "sweep: token \"%s\" of %s may be live on %s: its session gave up waiting "
           "for the controller's answer to generateNewToken, and nothing here can "
           "revoke it without the user's password; revoke it by hand on "
           "%s/user/%s/security/ (%s/user/%s/configure before Jenkins 2.468), then "
           "delete %s",
           entry->token_name, entry->user, entry->url, base != NULL ? base : entry->url,
           id != NULL ? id : entry->user, base != NULL ? base : entry->url,
           id != NULL ? id : entry->user, path);
    report_given_up(run, path, entry);
    if (pj_journal_rewrite(run->opts->journal_dir, name, entry, err, sizeof(err)) !=
        PJ_OK)
        pj_log(log, LOG_ERR, "sweep: cannot record giving up in %s: %s", path, err);

done:
    free(id);
    free(base);
}

static void drop(struct run *run, const char *name, const char *path,
                 const struct pj_journal_entry *entry, const char *what);

static void resolve_intent(struct run *run, const char *name, const char *path,
                           struct pj_journal_entry *entry)
{
    const struct pj_sweep *opts = run->opts;
    enum pj_outcome outcome = PJ_UNREACHABLE;

    if (opts->resolve_intent != NULL)
        outcome = opts->resolve_intent(opts->resolve_ctx, entry);
    if (outcome == PJ_OK) {
        drop(run, name, path, entry, "found by name and revoked");
        run->result->revoked++;
    } else if (outcome == PJ_NOT_FOUND) {
        drop(run, name, path, entry, "was never minted");
    } else if (outcome == PJ_CONFIG) {
        run->result->waiting++; /* another user's: their login, or an admin */
    } else if (entry->given_up == NULL) {
        give_up_intent(run, name, path, entry);
    } else {
        report_given_up(run, path, entry);
    }
}

/* The token is no longer live: drop its entry. */
static void drop(struct run *run, const char *name, const char *path,
                 const struct pj_journal_entry *entry, const char *what)
{
    pj_shared_drop_keys(entry); /* keyring = user: the keys outlive sessions */
    if (unlinkat(run->dirfd, name, 0) < 0 && errno != ENOENT)
        pj_log(run->opts->log, LOG_ERR, "sweep: cannot remove %s: %s", path,
               strerror(errno));
    if (entry->intent != NULL)
        pj_log(run->opts->log, LOG_INFO,
               "sweep: token \"%s\" of %s on %s %s (session pid %s is gone)",
               entry->token_name, entry->user, entry->url, what,
               entry->pid != NULL ? entry->pid : "?");
    else if (entry->key_name != NULL)
        pj_log(run->opts->log, LOG_INFO,
               "sweep: token %s of %s on %s (user keyring) %s (no session holds it)",
               entry->uuid, entry->user, entry->url, what);
    else
        pj_log(run->opts->log, LOG_INFO,
               "sweep: token %s of %s on %s %s (session pid %s is gone)", entry->uuid,
               entry->user, entry->url, what, entry->pid != NULL ? entry->pid : "?");
}

static void attempt(struct run *run, const char *name, const char *path,
                    struct pj_journal_entry *entry)
{
    const struct pj_sweep *opts = run->opts;
    const struct pj_config *cfg = opts->cfg;
    struct pj_http_settings settings = {0};
    struct pj_client client;
    enum pj_outcome outcome;
    char why[512], *normal = NULL;

    if (entry->intent != NULL) {
        resolve_intent(run, name, path, entry);
        goto done;
    }
    if (pj_url_check_base(entry->url, cfg->allow_insecure_http, why, sizeof(why)) < 0) {
        failed_try(run, name, path, entry, true, why);
        goto done;
    }
    normal = pj_url_normalise_base(entry->url);
    if (normal == NULL) {
        failed_try(run, name, path, entry, false, "out of memory");
        goto done;
    }
    /* A retired controller, or an entry nobody here wrote: its token goes
     * nowhere but to the controller this host is configured for. */
    if (strcmp(normal, cfg->url) != 0) {
        pj_set_error(why, sizeof(why), "%s is not the configured controller %s", normal,
                     cfg->url);
        failed_try(run, name, path, entry, true, why);
        goto done;
    }
    pj_config_http_settings(cfg, &settings);
    settings.connect_timeout = opts->connect_timeout;
    settings.timeout = opts->timeout;
    settings.deadline = opts->deadline;
    if (pj_client_init(&client, cfg->url, entry->user, &settings, opts->log) != PJ_OK) {
        failed_try(run, name, path, entry, false, "out of memory");
        goto done;
    }
    outcome = pj_client_revoke(&client, entry->token, entry->uuid);
    switch (outcome) {
    case PJ_OK:
        drop(run, name, path, entry, "revoked");
        run->result->revoked++;
        break;
    case PJ_BAD_CREDENTIALS:
        /* The token no longer authenticates: revoked by hand or expired. */
        drop(run, name, path, entry, "was already revoked or expired");
        run->result->already_revoked++;
        break;
    case PJ_FORBIDDEN: /* the permission to revoke is gone */
    case PJ_NOT_FOUND: /* the user is gone, or the url is not Jenkins */
        failed_try(run, name, path, entry, true, client.message);
        break;
    default:
        failed_try(run, name, path, entry, false, client.message);
        break;
    }
    pj_client_free(&client, false);

done:
    free(normal);
}

static void sweep_entry(struct run *run, const char *name)
{
    const struct pj_sweep *opts = run->opts;
    struct pj_journal_entry entry;
    char err[512], *path = pj_strdup_printf("%s/%s", opts->journal_dir, name);
    int lock = -1, shared_lock = -1;

    memset(&entry, 0, sizeof(entry));
    if (path == NULL)
        goto done;
    /* A token shared by a user's sessions: not while one of them is joining
     * or leaving it (lib/shared.c). */
    if ((pj_journal_shared_entry(name) &&
         pj_journal_lock_shared(opts->journal_dir, name, 0, &shared_lock, err,
                                sizeof(err)) != PJ_OK) ||
        pj_journal_read_at(run->dirfd, name, &entry, &lock, err, sizeof(err)) < 0) {
        if (errno == EWOULDBLOCK || errno == ESTALE) {
            pj_debug(opts->log, "sweep: %s: %s", path, err);
            run->result->deferred++;
        } else {
            pj_log(opts->log, LOG_WARNING, "sweep: skipping %s: %s", path, err);
            run->result->skipped++;
        }
        goto done;
    }
    /* A given-up intent can still be found by name at its user's next
     * login: the resolver holds that user's password. */
    if (entry.given_up != NULL &&
        !(entry.intent != NULL && opts->resolve_intent != NULL)) {
        report_given_up(run, path, &entry);
        goto done;
    }
    if (!session_gone(run, &entry)) {
        run->result->alive++;
        goto done;
    }
    if (pj_journal_number(entry.next_try) > run->now) {
        run->result->waiting++;
        goto done;
    }
    /* An intent nobody here can settle costs no request: it must not use
     * up the sweep at open's few tries (other users' lost mints would
     * starve the revokes of dead sessions). */
    if (entry.intent != NULL &&
        (opts->owns_intent == NULL || !opts->owns_intent(opts->resolve_ctx, &entry))) {
        if (opts->resolve_intent == NULL)
            resolve_intent(run, name, path, &entry); /* reports it; no request */
        else
            run->result->waiting++;
        goto done;
    }
    if ((opts->max_entries > 0 && run->attempted >= opts->max_entries) ||
        (run->deadline != 0 && time(NULL) >= run->deadline)) {
        run->result->deferred++;
        goto done;
    }
    run->attempted++;
    attempt(run, name, path, &entry);

done:
    if (lock >= 0)
        close(lock);
    if (shared_lock >= 0)
        close(shared_lock);
    pj_journal_entry_free(&entry);
    free(path);
}

static bool entry_name(const char *name, const char *skip)
{
    size_t n = strlen(name);

    return n >= 7 && name[0] != '.' && strcmp(name + n - 6, ".token") == 0 &&
           (skip == NULL || strcmp(name, skip) != 0);
}

static void free_names(char **names, size_t count)
{
    size_t i;

    for (i = 0; i < count; i++)
        free(names[i]);
    free((void *)names);
}

/* The names first: the sweep replaces and removes entries as it goes, and
 * readdir may or may not show a replaced name again.  NULL on failure. */
static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A writer killed between mkstemp and rename (a user may SIGKILL their own
 * setuid su) leaves .tmp-XXXXXX: after five minutes, one that holds a whole
 * entry becomes one (it may be a live token), anything else goes. */
static void settle_temp_files(struct run *run)
{
    int fd = dup(run->dirfd);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *de;

    if (dir == NULL) {
        if (fd >= 0)
            close(fd);
        return;
    }
    /* dup() shares the directory's offset with every other reader */
    rewinddir(dir);
    while ((de = readdir(dir)) != NULL) {
        struct pj_journal_entry entry;
        struct stat st;
        char err[256], target[96];
        int lock = -1;

        if (strncmp(de->d_name, ".tmp-", 5) != 0 ||
            fstatat(run->dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISREG(st.st_mode) || st.st_mtime > run->now - 300)
            continue;
        if (pj_journal_read_at(run->dirfd, de->d_name, &entry, &lock, err,
                               sizeof(err)) == 0) {
            if (entry.uuid != NULL)
                snprintf(target, sizeof(target), "%s.token", entry.uuid);
            else
                snprintf(target, sizeof(target), "intent-%s.token", de->d_name + 5);
            /* Never over an entry that exists (then this copy is stale): a
             * link, not renameat2's RENAME_NOREPLACE, which some file
             * systems and valgrind do not know.  The temporary name goes
             * below either way. */
            if (linkat(run->dirfd, de->d_name, run->dirfd, target, 0) == 0)
                pj_log(run->opts->log, LOG_WARNING,
                       "sweep: %s/%s, left by a writer that was killed, is now %s",
                       run->opts->journal_dir, de->d_name, target);
            pj_journal_entry_free(&entry);
        }
        if (lock >= 0)
            close(lock);
        unlinkat(run->dirfd, de->d_name, 0);
    }
    closedir(dir);
}

static char **list_entries(int dirfd, const char *skip, size_t *count)
{
    char **names = (char **)calloc(16, sizeof(*names)), **grown;
    size_t n = 0, cap = 16;
    struct dirent *de;
    int fd = dup(dirfd);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    bool ok = names != NULL && dir != NULL;
    int saved = dir == NULL ? errno : ENOMEM;

    if (dir == NULL && fd >= 0)
        close(fd);
    if (dir != NULL)
        rewinddir(dir); /* the offset is shared with the other dup()s */
    while (ok && (de = readdir(dir)) != NULL) {
        if (!entry_name(de->d_name, skip))
            continue;
        if (n == cap) {
            grown = (char **)realloc((void *)names, 2 * cap * sizeof(*names));
            ok = grown != NULL;
            if (!ok)
                break;
            names = grown;
            cap *= 2;
        }
        names[n] = strdup(de->d_name);
        ok = names[n] != NULL;
        if (ok)
            n++;
    }
    if (dir != NULL)
        closedir(dir);
    if (!ok) {
        free_names(names, n);
        errno = saved;
        return NULL;
    }
    /* Tokens before intents ("intent-" sorts after hex uuids): the revokes
     * that surely help come first within the sweep at open's few tries. */
    qsort((void *)names, n, sizeof(*names), compare_names);
    *count = n;
    return names;
}

enum pj_outcome pj_sweep_run(const struct pj_sweep *opts,
                             struct pj_sweep_result *result)
{
    struct run run;
    char err[512], **names = NULL;
    size_t i, count = 0;
    enum pj_outcome status = PJ_IO;
    int saved = 0;

    memset(result, 0, sizeof(*result));
    memset(&run, 0, sizeof(run));
    run.opts = opts;
    run.result = result;
    run.dirfd = -1;
    if (opts->cfg == NULL || opts->cfg->url == NULL) {
        pj_log(opts->log, LOG_ERR,
               "sweep: no controller url configured: nothing swept");
        saved = EINVAL;
        status = PJ_CONFIG;
        goto done;
    }
    run.dirfd = pj_journal_open_dir(opts->journal_dir, err, sizeof(err));
    if (run.dirfd < 0) {
        saved = errno;
        if (saved != ENOENT)
            pj_log(opts->log, LOG_ERR, "sweep refused: %s", err);
        status = saved == ENOENT ? PJ_NOT_FOUND : PJ_CONFIG;
        goto done;
    }
    /* Without /proc every process looks gone: judge nothing. */
    run.boot_id = pj_boot_id();
    if (run.boot_id == NULL) {
        pj_log(opts->log, LOG_ERR,
               "sweep: cannot read this boot's id (is /proc mounted?): dead sessions "
               "cannot be told from live ones; nothing swept");
        saved = EIO;
        goto done;
    }
    run.boot_time = pj_boot_time();
    run.now = time(NULL);
    run.deadline = opts->budget_seconds > 0 ? run.now + opts->budget_seconds : 0;
    settle_temp_files(&run);
    names = list_entries(run.dirfd, opts->skip_name, &count);
    if (names == NULL) {
        saved = errno;
        pj_log(opts->log, LOG_ERR, "sweep: cannot read %s: %s", opts->journal_dir,
               strerror(saved));
        goto done;
    }
    for (i = 0; i < count; i++)
        sweep_entry(&run, names[i]);
    status = PJ_OK;

done:
    if (names != NULL)
        free_names(names, count);
    if (run.dirfd >= 0)
        close(run.dirfd);
    free(run.boot_id);
    errno = saved;
    return status;
}
