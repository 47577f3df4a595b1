/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * jenkins-token sweep (root): revoke the journalled tokens of sessions that
 * are gone (lib/sweep.c says how that is decided).  Run by the shipped
 * systemd timer.  Exit 0 when every dead session's token was revoked, 4 when
 * the controller could not be reached for some (they stay journalled).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

int cmd_sweep(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"conf", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *conf = PJ_DEFAULT_CONF;
    struct pj_sweep_result result;
    struct pj_sweep opts = {0};
    struct pj_config cfg;
    char err[PJ_CONFIG_ERROR_MAX];
    int opt, rc = EXIT_OK;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt != 'c')
            return EXIT_USAGE;
        conf = optarg;
    }
    if (geteuid() != 0) {
        fprintf(stderr,
                "jenkins-token: sweep must run as root (it reads the journal)\n");
        return EXIT_USAGE;
    }
    if (pj_config_init(&cfg) < 0)
        return EXIT_CONTROLLER;
    /* No url needed: every entry names its controller. */
    if (pj_config_read_file(&cfg, conf, false, &tool_log, err, sizeof(err)) < 0) {
        fprintf(stderr, "jenkins-token: %s\n", err);
        rc = EXIT_USAGE;
        goto done;
    }
    tool_log.debug = cfg.debug;
    opts.journal_dir = cfg.journal_dir;
    opts.log = &tool_log;
    opts.connect_timeout = cfg.connect_timeout;
    opts.timeout = cfg.timeout;
    if (pj_sweep_run(&opts, &result) < 0) {
        if (errno == ENOENT) {
            printf("sweep: nothing to do (%s does not exist)\n", cfg.journal_dir);
            goto done;
        }
        fprintf(stderr, "jenkins-token: cannot read %s: %s\n", cfg.journal_dir,
                strerror(errno));
        rc = EXIT_UNREADABLE;
        goto done;
    }
    printf(
        "sweep: %d revoked, %d sessions still open, %d failed, %d unreadable entries "
        "skipped\n",
        result.revoked, result.alive, result.failed, result.skipped);
    if (result.failed > 0)
        rc = EXIT_CONTROLLER;

done:
    pj_config_free(&cfg);
    return rc;
}
