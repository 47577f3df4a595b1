#!/bin/bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the pam_jenkins developers (see AUTHORS)
# The Jenkins test double itself, checked with curl against the 19
# behaviours that docs/protocol.md lists at its end: every other
# suite trusts it, so its faithfulness is tested too.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

start_double J
G=descriptorByName/jenkins.security.ApiTokenProperty
# req [curl args...]: headers and body of one request in $WORK/h, $WORK/b
req() {
    curl -s --cacert "$CA" -D "$WORK/h" -o "$WORK/b" "$@"
    STATUS=$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$WORK/h")
    HEADERS=$(tr -d '\r' <"$WORK/h")
    BODY=$(cat "$WORK/b")
}
crumb_json() { python3 -c 'import json,sys; print(json.load(sys.stdin)["crumb"])' <"$WORK/b"; }
A="-u alice:alice-password"

# 1. crumbs are bound to the session cookie
req $A -c "$WORK/jar" "$J_URL/crumbIssuer/api/json"
like "$HEADERS" "^Set-Cookie: JSESSIONID\.[0-9a-f]{8}=[^;]+; Path=/; HttpOnly; Secure" "1: the crumb GET sets JSESSIONID.<8 hex>, HttpOnly, Secure over https"
crumb=$(crumb_json)
req $A -b "$WORK/jar" -H "Jenkins-Crumb: $crumb" -d newTokenName=t1 "$J_URL/me/$G/generateNewToken"
is "$STATUS" 200 "1: with its cookie the crumb is accepted"
token=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["tokenValue"])' <"$WORK/b")
req $A -H "Jenkins-Crumb: $crumb" -d newTokenName=t2 "$J_URL/me/$G/generateNewToken"
is "$STATUS" 403 "1: without the cookie: 403"
like "$BODY" "No valid crumb was included in the request" "1: with Jetty's error page"
old_cookie=$(double_query "$J_URL" 'd["cookie_name"]')
double "$J_URL" restart >/dev/null
req $A -b "$WORK/jar" -H "Jenkins-Crumb: $crumb" -d newTokenName=t3 "$J_URL/me/$G/generateNewToken"
is "$STATUS" 403 "12: after a restart the old cookie and crumb are dead"
[ "$(double_query "$J_URL" 'd["cookie_name"]')" != "$old_cookie" ]; ok $? "12: and the cookie name changed"

# 2. API-token Basic auth needs no crumb
req -u "alice:$token" -d newTokenName=via-token "$J_URL/me/$G/generateNewToken"
is "$STATUS" 200 "2: token auth: POST without a crumb is accepted"
like "$token" "^11[0-9a-f]{32}$" "8: tokens are 11 + 32 lowercase hex"
req -u "alice:$(tr a-f A-F <<<"$token")" "$J_URL/whoAmI/api/json"
is "$STATUS" 401 "8: an upper-cased token fails"
req -u "alice:00${token:2}" "$J_URL/whoAmI/api/json"
is "$STATUS" 200 "8: the first two characters are not checked"

# 3. bad credentials: 401 with the challenge, before the crumb
req -u alice:wrong "$J_URL/whoAmI/api/json"
is "$STATUS" 401 "3: wrong password on an anonymous-readable URL: 401"
like "$HEADERS" '^WWW-Authenticate: Basic realm="Jenkins"' "3: with WWW-Authenticate"
unlike "$HEADERS" "^X-Jenkins" "12: no X-Jenkins headers on a 401"
req -u alice:wrong -d newTokenName=x "$J_URL/me/$G/generateNewToken"
is "$STATUS" 401 "3: a bad password is refused before the missing crumb"

# 4. no credentials on a protected URL: 403, no challenge
req "$J_URL/me/api/json"
is "$STATUS" 403 "4: anonymous /me/api/json: 403"
unlike "$HEADERS" "^WWW-Authenticate" "4: no challenge"
like "$HEADERS" "^X-Hudson: 1.395" "12: the login page carries X-Hudson"
like "$BODY" "Authentication required" "4: the login redirect page"

# 5. errorJSON on 200; generate denial is an empty 403
double "$J_URL" config '{"version": "2.555.1"}' >/dev/null
req -u "alice:$token" -d newTokenName=x -d expirationDuration=custom -d tokenExpiration=2000-01-01 "$J_URL/me/$G/generateNewToken"
is "$STATUS:$BODY" '200:{"status":"error","message":"Expiration date is in the past."}' "5: a past expiry is errorJSON on HTTP 200"
req -u "alice:$token" -d newTokenName=x -d expirationDuration=30 "$J_URL/me/$G/generateNewToken"
like "$BODY" '"expirationDate": "[0-9]+/[0-9]+/[0-9]+", "aboutToExpire": false' "17: 2.555.1 gives expirationDate and aboutToExpire"
double "$J_URL" config '{"version": "2.479.3"}' >/dev/null
req -u admin:admin-password "$J_URL/crumbIssuer/api/json"
req -u "alice:$token" -d newTokenName=x "$J_URL/user/alice/$G/generateNewToken"
is "$STATUS" 200 "13: the owner generates under /user/<id>/"
admin_token=$(curl -s --cacert "$CA" -u "admin:$token" -d newTokenName=x "$J_URL/user/admin/$G/generateNewToken" -o /dev/null -w '%{http_code}')
is "$admin_token" 401 "(alice's token is not admin's)"
req -u admin:admin-password -H "Jenkins-Crumb: x" -d newTokenName=x "$J_URL/user/alice/$G/generateNewToken"
is "$STATUS" 403 "crumb checked first for password auth"
double "$J_URL" config '{"crumb_issuer": false}' >/dev/null
req -u admin:admin-password -d newTokenName=x "$J_URL/user/alice/$G/generateNewToken"
is "$STATUS:$BODY" "403:" "13: an admin generating for someone else: 403, empty body"
req "$J_URL/crumbIssuer/api/json"
is "$STATUS" 404 "10: no crumb issuer: 404"
req -u alice:alice-password -d newTokenName=nocrumb "$J_URL/me/$G/generateNewToken"
is "$STATUS" 200 "10: and no crumb checks"
double "$J_URL" config '{"crumb_issuer": true}' >/dev/null

# 6. revoke: 200, empty, idempotent; blank uuid 400
req -u "alice:$token" -d tokenUuid=no-such-uuid "$J_URL/user/alice/$G/revoke"
is "$STATUS:$BODY" "200:" "6: revoke of an unknown uuid: 200, empty"
req -u "alice:$token" -d tokenUuid= "$J_URL/user/alice/$G/revoke"
is "$STATUS" 400 "6: a blank tokenUuid: 400"
like "$BODY" "The tokenUuid cannot be empty" "6: with its message"

# 7. GET on a POST-only action
req -u "alice:$token" "$J_URL/me/$G/generateNewToken"
is "$STATUS" 405 "7: GET generateNewToken: 405"
like "$HEADERS" "^Allow: POST" "7: Allow: POST"

# 9. object URLs redirect to add a slash; method URLs do not
for p in me whoAmI crumbIssuer user/alice; do
    req -u "alice:$token" "$J_URL/$p"
    is "$STATUS $(sed -n 's/^Location: //p' <<<"$HEADERS")" "302 /$p/" "9: /$p redirects to /$p/"
done

# 11. Basic auth never yields a session
for p in whoAmI/api/json me/api/json; do
    req -u "alice:$token" "$J_URL/$p"
    unlike "$HEADERS" "^Set-Cookie" "11: no cookie from /$p"
done
req -u "alice:$token" -d newTokenName=x "$J_URL/me/$G/generateNewToken"
unlike "$HEADERS" "^Set-Cookie" "11: no cookie from generateNewToken"
like "$HEADERS" "^Content-Type: application/json; charset=UTF-8" "5: token JSON content type"
unlike "$HEADERS" "^X-Jenkins:" "12: no X-Jenkins on token JSON"
req -u "alice:$token" "$J_URL/whoAmI/api/json"
like "$HEADERS" "^X-Jenkins: 2.479.3" "12: X-Jenkins on api/json"
like "$HEADERS" "^X-Jenkins-Session: [0-9a-f]{8}" "12: X-Jenkins-Session on api/json"
like "$BODY" '^\{"_class":"hudson.security.WhoAmI","anonymous":false,"authenticated":true,"authorities":\["authenticated"\],"name":"alice"\}$' "whoAmI body"

# 13. permissions on revoke
uuid=$(double_query "$J_URL" '[t["uuid"] for t in toks if t["name"]=="via-token"][0]')
req -u bob:bob-password -d "tokenUuid=$uuid" "$J_URL/user/alice/$G/revoke"
like "$BODY" "No valid crumb" "2: bob's password POST without a crumb meets the crumb filter first"
double "$J_URL" config '{"crumb_issuer": false}' >/dev/null
req -u bob:bob-password -d "tokenUuid=$uuid" "$J_URL/user/alice/$G/revoke"
is "$STATUS" 403 "13: another user cannot revoke alice's token"
like "$HEADERS" "^X-You-Are-Authenticated-As: bob" "13: 403 with X-You-Are-Authenticated-As"
like "$HEADERS" "^X-Required-Permission: hudson.model.Hudson.Administer" "13: and X-Required-Permission"
double "$J_URL" config '{"crumb_issuer": false}' >/dev/null
req -u admin:admin-password -d "tokenUuid=$uuid" "$J_URL/user/alice/$G/revoke"
is "$STATUS" 200 "13: an admin can"
is "$(double_query "$J_URL" "[t['status'] for t in toks if t['uuid']=='$uuid'][0]")" revoked "13: and the token is revoked"
double "$J_URL" config '{"crumb_issuer": true}' >/dev/null

# 14. names
req -u "alice:$token" -d newTokenName= "$J_URL/me/$G/generateNewToken"
like "$BODY" '"tokenName": "Token created on [0-9]{4}-[0-9]{2}-[0-9]{2}T' "14: a blank name becomes 'Token created on <ISO time>'"
req -u "alice:$token" --data-urlencode "newTokenName= same " "$J_URL/me/$G/generateNewToken"
req -u "alice:$token" --data-urlencode "newTokenName= same " "$J_URL/me/$G/generateNewToken"
is "$(double_query "$J_URL" 'len([t for t in toks if t["name"]==" same "])')" 2 "14: names are kept verbatim, duplicates allowed"

# 15. no REST listing of tokens
req -u "alice:$token" "$J_URL/me/api/json"
like "$BODY" '"property":\[\{"_class":"jenkins.security.ApiTokenProperty"\}\]' "15: the token property shows nothing"
req -u "bob:bob-password" "$J_URL/user/alice/api/json"
like "$BODY" '"property":\[\]' "15: empty for another user"

# 16. context path
start_double CTX --context /jenkins
req -u alice:alice-password "$CTX_URL/jenkins/crumbIssuer/api/json"
like "$HEADERS" "^Set-Cookie: JSESSIONID\.[0-9a-f]{8}=[^;]+; Path=/jenkins/;" "16: the cookie path is the context path"
req -u alice:alice-password "$CTX_URL/crumbIssuer/api/json"
is "$STATUS" 404 "16: outside the context path: 404"

# 17. expired tokens stop matching
double "$J_URL" expire "{\"uuid\": \"$(double_query "$J_URL" '[t["uuid"] for t in toks if t["name"]=="t1"][0]')\"}" >/dev/null
req -u "alice:$token" "$J_URL/whoAmI/api/json"
is "$STATUS" 401 "17: an expired token gets 401"
is "$(double_query "$J_URL" '[t["status"] for t in toks if t["name"]=="t1"][0]')" expired "17: and is listed expired"

# 18. crumb JSON and its variants
req -u alice:alice-password "$J_URL/crumbIssuer/api/json"
like "$BODY" '^\{"_class":"hudson.security.csrf.DefaultCrumbIssuer","crumb":"[0-9a-f]{64}","crumbRequestField":"Jenkins-Crumb"\}$' "18: exactly _class, crumb, crumbRequestField"
req -u alice:alice-password "$J_URL/crumbIssuer/api/json?jsonp=f"
is "$STATUS" 403 "18: ?jsonp= is forbidden"
req -u alice:alice-password -G --data-urlencode 'xpath=concat(//crumbRequestField,":",//crumb)' "$J_URL/crumbIssuer/api/xml"
like "$HEADERS" "^Content-Type: text/plain" "18: the whitelisted xpath gives text/plain"
like "$BODY" "^Jenkins-Crumb:[0-9a-f]{64}$" "18: field:crumb"
double "$J_URL" config '{"version": "2.176.1"}' >/dev/null
req -u alice:alice-password "$J_URL/crumbIssuer/api/json"
like "$BODY" '"crumb":"[0-9a-f]{32}"' "2.176.1: MD5 crumbs"
unlike "$HEADERS" "^Set-Cookie" "2.176.1: the crumb is not bound to a session"
double "$J_URL" config '{"version": "2.479.3"}' >/dev/null

# 19. semicolons
req -u alice:alice-password "$J_URL/user/a;b/api/json"
is "$STATUS" 400 "19: ';' in the path: 400"
