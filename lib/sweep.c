/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The sweep: revoke the journalled tokens of sessions that are gone.  An
 * entry belongs to a dead session when this is another boot, or its process
 * no longer exists, or a different process now has its pid (start times
 * differ).  Used by `jenkins-token sweep` (the systemd timer) and, bounded,
 * at every session open, so a crash, kill -9, reboot or an unreachable
 * controller at logout leaves no live token once the controller answers.
 */
#include "config.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "internal.h"

static bool session_alive(const struct pj_journal_entry *entry, const char *boot_id)
{
    char *start;
    bool alive;

    if (entry->boot_id == NULL || boot_id == NULL ||
        strcmp(entry->boot_id, boot_id) != 0)
        return false;
    if (entry->pid == NULL || entry->start_time == NULL)
        return false;
    start = pj_process_start_time(strtol(entry->pid, NULL, 10));
    alive = start != NULL && strcmp(start, entry->start_time) == 0;
    free(start);
    return alive;
}

static void sweep_entry(const char *path, const char *boot_id,
                        const struct pj_sweep *opts, struct pj_sweep_result *result)
{
    struct pj_journal_entry entry;
    struct pj_http_settings settings = {0};
    struct pj_client client;
    enum pj_outcome outcome;
    char err[512];

    if (pj_journal_read(path, &entry, err, sizeof(err)) < 0) {
        pj_log(opts->log, LOG_WARNING, "sweep: skipping %s: %s", path, err);
        result->skipped++;
        return;
    }
    if (session_alive(&entry, boot_id)) {
        result->alive++;
        goto done;
    }
    settings.ca_file = entry.ca_file;
    settings.ca_path = entry.ca_path;
    settings.proxy = entry.proxy;
    settings.connect_timeout = opts->connect_timeout;
    settings.timeout = opts->timeout;
    if (pj_client_init(&client, entry.url, entry.user, &settings, opts->log) < 0) {
        result->failed++;
        goto done;
    }
    outcome = pj_client_revoke(&client, entry.token, entry.uuid);
    if (outcome == PJ_OK || outcome == PJ_BAD_CREDENTIALS) {
        pj_journal_remove(path);
        pj_log(opts->log, LOG_INFO,
               "sweep: revoked token %s of %s on %s (session pid %s is gone)",
               entry.uuid, entry.user, entry.url, entry.pid != NULL ? entry.pid : "?");
        result->revoked++;
    } else {
        pj_log(opts->log, LOG_WARNING, "sweep: could not revoke token %s of %s: %s",
               entry.uuid, entry.user, client.message);
        result->failed++;
    }
    pj_client_free(&client, false);

done:
    pj_journal_entry_free(&entry);
}

int pj_sweep_run(const struct pj_sweep *opts, struct pj_sweep_result *result)
{
    time_t deadline = opts->budget_seconds > 0 ? time(NULL) + opts->budget_seconds : 0;
    char *boot_id = NULL;
    struct dirent *de;
    int attempted = 0;
    DIR *dir;

    memset(result, 0, sizeof(*result));
    dir = opendir(opts->journal_dir);
    if (dir == NULL)
        return -1;
    boot_id = pj_boot_id();
    while ((de = readdir(dir)) != NULL) {
        size_t n = strlen(de->d_name);
        char *path;

        if (n < 7 || strcmp(de->d_name + n - 6, ".token") != 0)
            continue;
        if (opts->skip_name != NULL && strcmp(de->d_name, opts->skip_name) == 0)
            continue;
        if ((opts->max_entries > 0 && attempted >= opts->max_entries) ||
            (deadline != 0 && time(NULL) >= deadline)) {
            result->deferred++;
            continue;
        }
        path = pj_strdup_printf("%s/%s", opts->journal_dir, de->d_name);
        if (path == NULL)
            break;
        attempted++;
        sweep_entry(path, boot_id, opts, result);
        free(path);
    }
    closedir(dir);
    free(boot_id);
    return 0;
}
