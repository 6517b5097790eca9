// TempDir: a fresh directory under $TMPDIR, removed with its contents on
// destruction. Test helper; not thread-safe.
#ifndef RUNNEL_TESTS_HOST_PLUGIN_TEMP_DIR_H_
#define RUNNEL_TESTS_HOST_PLUGIN_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace runnel::host {

class TempDir {
 public:
  TempDir() {
    std::string templ =
        (std::filesystem::temp_directory_path() / "runnel-test-XXXXXX")
            .string();
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace runnel::host

#endif  // RUNNEL_TESTS_HOST_PLUGIN_TEMP_DIR_H_
