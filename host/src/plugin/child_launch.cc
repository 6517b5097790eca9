#include "plugin/child_launch.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace runnel::host {
namespace {

// Everything the child uses, made before fork.
struct ChildSetup {
  const char* path;
  char* const* argv;
  char* const* envp;
  const char* working_dir;  // nullptr = inherit
  int dev_null;             // -1 = leave stdin alone
  int stdout_write;
  int stderr_write;
  int exec_error_write;  // receives errno when chdir or exec fails
  pid_t parent;
};

[[noreturn]] void ReportErrnoAndExit(int fd) {
  int err = errno;
  (void)!write(fd, &err, sizeof err);
  _exit(127);
}

// The child between fork and exec: async-signal-safe calls only.
[[noreturn]] void RunChild(const ChildSetup& s) {
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != s.parent) _exit(126);  // the host died before prctl
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) {
    signal(sig, SIG_DFL);
  }
  if (s.dev_null >= 0) dup2(s.dev_null, 0);
  dup2(s.stdout_write, 1);
  dup2(s.stderr_write, 2);
  if (s.working_dir != nullptr && chdir(s.working_dir) != 0) {
    ReportErrnoAndExit(s.exec_error_write);
  }
  // Nothing else of the host's goes along (sockets, other plugins' pipes).
  // exec_error_write is close-on-exec and above 2: keep it until the exec.
  if (syscall(SYS_close_range, 3, s.exec_error_write - 1, 0) != 0) {
    for (int fd = 3; fd < s.exec_error_write; ++fd) close(fd);
  }
  syscall(SYS_close_range, s.exec_error_write + 1, ~0U, 0);
  execve(s.path, s.argv, s.envp);
  ReportErrnoAndExit(s.exec_error_write);
}

// Blocks until the exec succeeded (the close-on-exec end closes: 0) or the
// child reported an errno (returned).
int AwaitExec(const UniqueFd& exec_error_read) {
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(exec_error_read.get(), &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  return n > 0 ? exec_errno : 0;
}

void Reap(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

Status LaunchChild(const LaunchSpec& spec, LaunchedChild* child) {
  Pipe out, err, exec_error;
  Status s = Pipe::Open("stdout", &out);
  if (s.ok()) s = Pipe::Open("stderr", &err);
  if (s.ok()) s = Pipe::Open("exec status", &exec_error);
  if (!s.ok()) return s;
  UniqueFd dev_null(open("/dev/null", O_RDONLY | O_CLOEXEC));

  std::string path = spec.executable_path;
  std::vector<char*> argv = {path.data(), nullptr};
  std::vector<std::string> env = spec.env;
  std::vector<char*> envp;
  for (std::string& entry : env) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const ChildSetup setup{
      path.c_str(),
      argv.data(),
      envp.data(),
      spec.working_dir.empty() ? nullptr : spec.working_dir.c_str(),
      dev_null.get(),
      out.write.get(),
      err.write.get(),
      exec_error.write.get(),
      getpid()};

  pid_t pid = fork();
  if (pid < 0) return Status::Internal(std::string("fork: ") + strerror(errno));
  if (pid == 0) RunChild(setup);
  setpgid(pid, pid);  // also here, so the group exists before it is signalled
  out.write.Reset();
  err.write.Reset();
  exec_error.write.Reset();

  if (int exec_errno = AwaitExec(exec_error.read); exec_errno != 0) {
    Reap(pid);
    return Status::Unavailable("cannot run " + spec.executable_path + ": " +
                               strerror(exec_errno));
  }
  child->pid = pid;
  child->stdout_read = std::move(out.read);
  child->stderr_read = std::move(err.read);
  return Status::Ok();
}

}  // namespace runnel::host
