// TempDir: a fresh folder under the system temp dir, removed with its
// contents on destruction. For tests only.
#ifndef RUNNEL_TESTS_HOST_CONFIG_TEMP_DIR_H_
#define RUNNEL_TESTS_HOST_CONFIG_TEMP_DIR_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace runnel::host::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "runnel-test-XXXXXX")
            .string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

  // Writes `text` to <dir>/<relative>, creating folders; returns the path.
  std::string Write(const std::string& relative,
                    const std::string& text) const {
    std::filesystem::path file = std::filesystem::path(path_) / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }

 private:
  std::string path_;
};

}  // namespace runnel::host::testing

#endif  // RUNNEL_TESTS_HOST_CONFIG_TEMP_DIR_H_
