/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * The module's side of the journal: settling lost mints of dead sessions
 * at session open.  Writing the intent and the token's entry, and settling
 * this session's own lost mint, is lib/mint.c's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The sweep at session open hands us intent entries of dead sessions: the
 * ones of this user on this controller we can settle now, with the
 * password auth checked and the crumb session it opened. */
static bool owns_intent(void *arg, const struct pj_journal_entry *entry)
{
    struct pj_stash *stash = arg;
    char *normal = pj_url_normalise_base(entry->url);
    bool mine = normal != NULL && stash->password != NULL &&
                strcmp(normal, pj_client_base(&stash->client)) == 0 &&
                strcmp(entry->user, stash->jenkins_user) == 0;

    free(normal);
    return mine;
}

static enum pj_outcome resolve_intent(void *arg, const struct pj_journal_entry *entry)
{
    struct pj_stash *stash = arg;
    struct pj_client *client = &stash->client;
    enum pj_outcome outcome;
    char *uuid = NULL;

    if (!owns_intent(arg, entry))
        return PJ_CONFIG;
    outcome = pj_client_find_token(client, stash->password, entry->token_name, &uuid);
    if (outcome == PJ_OK)
        outcome = pj_client_revoke_with_password(client, stash->password, uuid);
    free(uuid);
    return outcome;
}

void pj_ledger_sweep_options(struct pj_stash *stash, struct pj_sweep *opts)
{
    opts->resolve_intent = resolve_intent;
    opts->owns_intent = owns_intent;
    opts->resolve_ctx = stash;
}
