// TempDir: a fresh folder runnel-test-XXXXXX under the system temp dir
// ($TMPDIR, else /tmp), removed with its contents on destruction (kept when
// RUNNEL_KEEP_TMP is set, for a look after a failure). A failed mkdtemp
// fails the test and aborts. Write() adds files below it.
// Thread-safety: none; one test thread owns each object.
#ifndef RUNNEL_TESTS_SUPPORT_TEMP_DIR_H_
#define RUNNEL_TESTS_SUPPORT_TEMP_DIR_H_

#include <filesystem>
#include <string>

namespace runnel::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() as a filesystem path, for `dir.fs_path() / "name"`.
  std::filesystem::path fs_path() const { return path_; }

  // Writes `text` to <dir>/<relative>, creating folders; returns the path.
  std::string Write(const std::string& relative, const std::string& text) const;

 private:
  std::string path_;
};

}  // namespace runnel::testing

#endif  // RUNNEL_TESTS_SUPPORT_TEMP_DIR_H_
