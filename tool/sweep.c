/*
 * jenkins-token sweep (root): revoke the journalled tokens of sessions that
 * are gone.  An entry belongs to a dead session when this is another boot,
 * or its process no longer exists, or a different process now has its pid
 * (start times differ).  Run by the shipped systemd timer; after a crash,
 * kill -9, reboot or an unreachable controller at logout, it makes sure no
 * token outlives its session once the controller answers again.
 */
#include "config.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static bool session_alive(const struct pj_journal_entry *entry, const char *boot_id)
{
    char *start;
    bool alive;

    if (entry->boot_id == NULL || boot_id == NULL || strcmp(entry->boot_id, boot_id) != 0)
        return false;
    if (entry->pid == NULL || entry->start_time == NULL)
        return false;
    start = pj_process_start_time(strtol(entry->pid, NULL, 10));
    alive = start != NULL && strcmp(start, entry->start_time) == 0;
    free(start);
    return alive;
}

/* 0 revoked (or already dead), 1 still live, -1 could not revoke. */
static int sweep_entry(const struct pj_config *cfg, const char *path, const char *boot_id)
{
    struct pj_journal_entry entry;
    struct pj_http_settings settings;
    struct pj_client client;
    enum pj_outcome outcome;
    char err[512];
    int status = -1;

    if (pj_journal_read(path, &entry, err, sizeof(err)) < 0) {
        fprintf(stderr, "jenkins-token: skipping %s: %s\n", path, err);
        return -1;
    }
    if (session_alive(&entry, boot_id)) {
        status = 1;
        goto done;
    }
    settings.ca_file = entry.ca_file;
    settings.ca_path = entry.ca_path;
    settings.proxy = entry.proxy;
    settings.connect_timeout = cfg->connect_timeout;
    settings.timeout = cfg->timeout;
    if (pj_client_init(&client, entry.url, entry.user, &settings, &tool_log) < 0)
        goto done;
    outcome = pj_client_revoke(&client, entry.token, entry.uuid);
    if (outcome == PJ_OK || outcome == PJ_BAD_CREDENTIALS) {
        pj_journal_remove(path);
        printf("revoked %s of %s on %s (session pid %s gone)\n", entry.uuid, entry.user,
               entry.url, entry.pid ? entry.pid : "?");
        status = 0;
    } else {
        fprintf(stderr, "jenkins-token: could not revoke %s of %s: %s\n", entry.uuid,
                entry.user, client.message);
    }
    pj_client_free(&client, false);

done:
    pj_journal_entry_free(&entry);
    return status;
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"conf", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *conf = PJ_DEFAULT_CONF;
    struct pj_config cfg;
    struct dirent *de;
    char err[PJ_CONFIG_ERROR_MAX], *boot_id = NULL;
    int opt, rc = EXIT_OK, revoked = 0, live = 0, failed = 0;
    DIR *dir = NULL;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (opt != 'c')
            return EXIT_USAGE;
        conf = optarg;
    }
    if (geteuid() != 0) {
        fprintf(stderr, "jenkins-token: sweep must run as root (it reads the journal)\n");
        return EXIT_USAGE;
    }
    if (pj_config_init(&cfg) < 0)
        return EXIT_CONTROLLER;
    /* The url is not needed: every entry names its controller. */
    if (pj_config_read_file(&cfg, conf, false, &tool_log, err, sizeof(err)) < 0) {
        fprintf(stderr, "jenkins-token: %s\n", err);
        rc = EXIT_USAGE;
        goto done;
    }
    dir = opendir(cfg.journal_dir);
    if (dir == NULL) {
        printf("nothing to sweep (%s does not exist)\n", cfg.journal_dir);
        goto done;
    }
    boot_id = pj_boot_id();
    while ((de = readdir(dir)) != NULL) {
        size_t n = strlen(de->d_name);
        char *path;
        int r;

        if (n < 7 || strcmp(de->d_name + n - 6, ".token") != 0)
            continue;
        path = pj_strdup_printf("%s/%s", cfg.journal_dir, de->d_name);
        if (path == NULL)
            break;
        r = sweep_entry(&cfg, path, boot_id);
        free(path);
        if (r == 0)
            revoked++;
        else if (r == 1)
            live++;
        else
            failed++;
    }
    printf("sweep: %d revoked, %d sessions still open, %d failed\n", revoked, live,
           failed);
    if (failed > 0)
        rc = EXIT_CONTROLLER;

done:
    if (dir != NULL)
        closedir(dir);
    free(boot_id);
    pj_config_free(&cfg);
    return rc;
}
