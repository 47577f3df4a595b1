/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * Per-call context: the configuration (file plus module arguments), the
 * logger that writes through pam_syslog, and the user being served.
 */
#include "config.h"

#include <pwd.h>
#include <security/pam_ext.h>
#include <security/pam_modutil.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "internal.h"

static void emit_syslog(void *arg, int priority, const char *line)
{
    pam_handle_t *pamh = arg;

    pam_syslog(pamh, priority, "%s", line);
}

static int context_new(pam_handle_t *pamh, int flags, int argc, const char **argv,
                       const char *function, struct pj_context **out)
{
    struct pj_context *ctx;
    char err[PJ_CONFIG_ERROR_MAX] = "";

    *out = NULL;
    ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return PAM_BUF_ERR;
    ctx->pamh = pamh;
    ctx->flags = flags;
    ctx->function = function;
    ctx->log.emit = emit_syslog;
    ctx->log.ctx = pamh;
    if (pj_config_init(&ctx->cfg) != PJ_OK) {
        free(ctx);
        return PAM_BUF_ERR;
    }
    if (pj_config_load(&ctx->cfg, argc, argv, &ctx->log, err, sizeof(err)) != PJ_OK) {
        pam_syslog(pamh, LOG_ERR, "bad configuration: %s", err);
        pj_context_free(ctx);
        return PAM_SERVICE_ERR;
    }
    ctx->log.debug = ctx->cfg.debug;
    /* One deadline for the whole call: the crumb request, the whoAmI
     * fallback, a fresh crumb after a controller restart and the sweep at
     * session open all share `timeout`, so sshd's LoginGraceTime and a
     * waiting user see one documented bound (pam_jenkins(8)). */
    if (ctx->cfg.timeout > 0)
        ctx->deadline = pj_now_ms() + (long long)ctx->cfg.timeout * 1000;
    /* As pam-krb5: one entry and one exit line per call with debug, so an
     * admin can follow what sshd or su asked of the module. */
    pj_debug(&ctx->log, "%s: entry (flags 0x%x)", function, (unsigned)flags);
    *out = ctx;
    return PAM_SUCCESS;
}

int pj_context_run(pam_handle_t *pamh, int flags, int argc, const char **argv,
                   const char *function, int (*phase)(struct pj_context *ctx))
{
    struct pj_context *ctx = NULL;
    int status = context_new(pamh, flags, argc, argv, function, &ctx);

    if (status == PAM_SUCCESS)
        status = phase(ctx);
    if (ctx != NULL) {
        pj_debug(&ctx->log, "%s: exit (%s)", ctx->function,
                 pam_strerror(ctx->pamh, status));
        pj_context_free(ctx);
    }
    return status;
}

void pj_context_free(struct pj_context *ctx)
{
    if (ctx == NULL)
        return;
    pj_config_free(&ctx->cfg);
    free(ctx->jenkins_user);
    free(ctx);
}

int pj_context_resolve_user(struct pj_context *ctx)
{
    struct pj_template_vars vars = {0};
    const struct passwd *pw;
    const char *user = NULL;
    char err[256];

    if (pam_get_user(ctx->pamh, &user, NULL) != PAM_SUCCESS || user == NULL ||
        *user == '\0')
        return PAM_USER_UNKNOWN;
    ctx->user = user;
    /* libpam's helper sizes its buffer itself: a fixed one turns ERANGE (a
     * large passwd entry from LDAP or sssd) into "no such user". */
    pw = pam_modutil_getpwnam(ctx->pamh, user);
    if (pw == NULL) {
        pj_debug(&ctx->log, "user %s is not a local account; skipping", user);
        return PAM_USER_UNKNOWN;
    }
    ctx->uid = pw->pw_uid;
    ctx->gid = pw->pw_gid;
    if ((ctx->cfg.ignore_root && pw->pw_uid == 0) ||
        (unsigned long)pw->pw_uid < (unsigned long)ctx->cfg.minimum_uid) {
        pj_debug(&ctx->log, "skipping %s (uid %lu below minimum_uid %ld or root)", user,
                 (unsigned long)pw->pw_uid, ctx->cfg.minimum_uid);
        return PAM_IGNORE;
    }
    vars.user = user;
    ctx->jenkins_user = pj_template_expand(ctx->cfg.user, &vars, err, sizeof(err));
    if (ctx->jenkins_user == NULL) {
        pj_log(&ctx->log, LOG_ERR, "user template: %s", err);
        return PAM_SERVICE_ERR;
    }
    return PAM_SUCCESS;
}

void pj_context_http_settings(const struct pj_context *ctx,
                              struct pj_http_settings *settings)
{
    pj_config_http_settings(&ctx->cfg, settings);
    settings->deadline = ctx->deadline;
}
