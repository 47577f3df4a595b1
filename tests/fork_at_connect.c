/* SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the pam_jenkins developers (see AUTHORS) */
/*
 * For the tests, loaded with LD_PRELOAD into the tests' PAM application:
 * another thread of the host starting a program at the worst moment.  On
 * the first TCP connect() of the process it writes the socket's inode to
 * the file $PJ_FORK_AT_CONNECT, then forks and runs /bin/sh, which appends
 * the targets of every descriptor it got to the same file.  A threaded
 * host (a display manager, FreeRADIUS, Apache's mod_authnz_pam) forks and
 * execs while the module's request is in flight; what the program inherits
 * then is what tests/security.sh checks.
 *
 * The file name is read when the library loads: the module empties the
 * environment around its transfers (lib/env.c).
 */
#include "config.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char report[512];

__attribute__((constructor)) static void init(void)
{
    const char *path = getenv("PJ_FORK_AT_CONNECT");

    if (path != NULL)
        snprintf(report, sizeof(report), "%s", path);
}

__attribute__((visibility("default"))) int connect(int fd, const struct sockaddr *addr,
                                                   socklen_t len)
{
    static int done;
    int (*real)(int, const struct sockaddr *, socklen_t);
    struct stat st;
    FILE *out;
    pid_t pid;

    if (report[0] != '\0' && !done && addr != NULL &&
        (addr->sa_family == AF_INET || addr->sa_family == AF_INET6) &&
        fstat(fd, &st) == 0 && (out = fopen(report, "w")) != NULL) {
        done = 1;
        fprintf(out, "connecting socket:[%lu]\n", (unsigned long)st.st_ino);
        fclose(out);
        pid = fork();
        if (pid == 0) {
            execl("/bin/sh", "sh", "-c",
                  "for f in /proc/$$/fd/*; do echo \"inherited $(readlink $f)\"; done "
                  ">>\"$0\"",
                  report, (char *)NULL);
            _exit(127);
        }
        if (pid > 0)
            waitpid(pid, NULL, 0);
    }
    *(void **)&real = dlsym(RTLD_NEXT, "connect");
    return real != NULL ? real(fd, addr, len) : -1;
}
