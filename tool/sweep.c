/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * jenkins-token sweep (root): revoke the journalled tokens of sessions that
 * are gone (lib/sweep.c says how that is decided), at the configured
 * controller only.  Run by the shipped systemd timer.  Exit 0 when every
 * dead session's token is revoked; 4 when some are not (the controller
 * failed and they wait for their next try, or they were given up and are
 * listed for revoking by hand); 3 when the journal directory is refused.
 */
#include "config.h"

#include <dirent.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static void list_given_up(void *ctx, const char *path,
                          const struct pj_journal_entry *entry)
{
    char *id = pj_url_encode_segment(entry->user);
    char *base = pj_url_normalise_base(entry->url);
    /* Journal text on an admin's terminal: escaped like every log line. */
    char *name = pj_sanitize_dup(entry->token_name != NULL ? entry->token_name : "?");
    char *where = pj_sanitize_dup(base != NULL ? base : entry->url);
    char *who = pj_sanitize_dup(id != NULL ? id : entry->user);

    (void)ctx;
    if (name != NULL && where != NULL && who != NULL)
        printf("sweep: given up: see %s; revoke token \"%s\" (%s) by hand on "
               "%s/user/%s/security/, then delete the file\n",
               path, name, entry->uuid != NULL ? entry->uuid : "uuid unknown", where,
               who);
    free(name);
    free(where);
    free(who);
    free(id);
    free(base);
}

static bool journal_has_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    bool any = false;

    if (d == NULL)
        return errno != ENOENT; /* unreadable: let the sweep say why */
    while (!any && (de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);

        any =
            n > 6 && de->d_name[0] != '.' && strcmp(de->d_name + n - 6, ".token") == 0;
    }
    closedir(d);
    return any;
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"conf", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *conf = PJ_DEFAULT_CONF;
    bool explicit_conf = false;
    struct pj_sweep_result result;
    enum pj_outcome swept;
    struct pj_sweep opts = {0};
    struct pj_config cfg;
    char err[PJ_CONFIG_ERROR_MAX];
    int opt, rc = EXIT_OK;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt != 'c')
            return EXIT_USAGE;
        conf = optarg;
        explicit_conf = true;
    }
    if (geteuid() != 0) {
        tool_msg("sweep must run as root (it reads the journal)");
        return EXIT_USAGE;
    }
    if (pj_config_init(&cfg) != PJ_OK)
        return EXIT_CONTROLLER;
    /* The url is needed: tokens are only revoked at the configured
     * controller, whatever an entry names.  Without a configuration and
     * without entries there is nothing to do: the timer keeps running after
     * libpam-jenkins is purged and jenkins-token stays. */
    if (pj_config_read_file(&cfg, conf, explicit_conf, &tool_log, err, sizeof(err)) !=
        PJ_OK) {
        tool_msg("%s", err);
        rc = EXIT_USAGE;
        goto done;
    }
    if (cfg.url == NULL && !explicit_conf && !journal_has_entries(cfg.journal_dir)) {
        printf("sweep: nothing to do (no %s, no entries in %s)\n", conf,
               cfg.journal_dir);
        goto done;
    }
    if (pj_config_finish(&cfg, err, sizeof(err)) != PJ_OK) {
        tool_msg("%s", err);
        rc = EXIT_USAGE;
        goto done;
    }
    tool_log.debug = cfg.debug;
    opts.journal_dir = cfg.journal_dir;
    opts.log = &tool_log;
    opts.cfg = &cfg;
    opts.connect_timeout = cfg.connect_timeout;
    opts.timeout = cfg.timeout;
    opts.given_up = list_given_up;
    swept = pj_sweep_run(&opts, &result);
    if (swept != PJ_OK) {
        if (swept == PJ_NOT_FOUND) {
            printf("sweep: nothing to do (%s does not exist)\n", cfg.journal_dir);
            goto done;
        }
        rc = EXIT_UNREADABLE; /* pj_sweep_run said why */
        goto done;
    }
    printf("sweep: %d revoked, %d already revoked or expired, %d sessions still open, "
           "%d failed, %d waiting to be tried again, %d given up, %d unreadable "
           "entries skipped\n",
           result.revoked, result.already_revoked, result.alive, result.failed,
           result.waiting, result.given_up, result.skipped);
    if (result.deferred > 0)
        printf("sweep: %d entries left to another sweep running now\n",
               result.deferred);
    if (result.failed > 0 || result.waiting > 0 || result.given_up > 0)
        rc = EXIT_CONTROLLER;

done:
    pj_config_free(&cfg);
    return rc;
}
