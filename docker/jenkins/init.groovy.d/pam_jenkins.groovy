// SPDX-License-Identifier: MIT
// Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
// Runs at every Jenkins start (init.groovy.d): Jenkins' own user database
// with the two demo users, "logged-in users can do anything", and the
// default crumb issuer left on, as on a typical controller.
import hudson.security.FullControlOnceLoggedInAuthorizationStrategy
import hudson.security.HudsonPrivateSecurityRealm
import jenkins.model.Jenkins

def jenkins = Jenkins.get()
def realm = new HudsonPrivateSecurityRealm(false)
[alice: System.getenv("PJ_ALICE_PASSWORD") ?: "alice-password",
 bob  : System.getenv("PJ_BOB_PASSWORD") ?: "bob-password"].each { id, password ->
    if (realm.getUser(id) == null) {
        realm.createAccount(id, password)
    }
}
jenkins.setSecurityRealm(realm)
def strategy = new FullControlOnceLoggedInAuthorizationStrategy()
strategy.setAllowAnonymousRead(false)
jenkins.setAuthorizationStrategy(strategy)
// The default crumb issuer is on since 2.222; nothing to change.
jenkins.save()
