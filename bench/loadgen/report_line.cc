#include "report_line.h"

#include <unistd.h>

#include <cerrno>

namespace runnel::loadgen {

void WriteReportLine(int fd, std::string_view line) {
  size_t offset = 0;
  while (offset < line.size()) {
    const ssize_t written =
        write(fd, line.data() + offset, line.size() - offset);
    if (written < 0) {
      if (errno == EINTR) continue;
      return;
    }
    offset += static_cast<size_t>(written);
  }
}

void ResultLine::AddText(std::string_view key, std::string_view value) {
  text_ += ' ';
  text_ += key;
  text_ += '=';
  text_ += value;
}

}  // namespace runnel::loadgen
