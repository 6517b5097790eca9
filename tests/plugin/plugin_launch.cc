#include "plugin_launch.h"

#include <chrono>

namespace runnel::testing {

std::vector<std::string> SplitLine(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

::testing::AssertionResult LaunchPlugin(
    const std::string& executable,
    const std::map<std::string, std::string>& env, const std::string& dir,
    LaunchedPlugin* out) {
  std::string error;
  out->process =
      PluginProcess::Start(executable, env, dir + "/stderr.log", &error);
  if (!out->process) return ::testing::AssertionFailure() << error;
  std::optional<std::string> line =
      out->process->ReadStdoutLine(std::chrono::milliseconds(20000));
  if (!line) {
    return ::testing::AssertionFailure() << "no handshake line; stderr:\n"
                                         << out->process->Stderr();
  }
  out->handshake = *line;
  std::vector<std::string> parts = SplitLine(*line, '|');
  if (parts.size() != 6) {
    return ::testing::AssertionFailure() << "bad handshake line: " << *line;
  }
  out->network = parts[2];
  out->address = parts[3];
  const std::string target =
      out->network == "unix" ? "unix:" + out->address : out->address;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  out->channel = grpc::CreateCustomChannel(
      target, grpc::InsecureChannelCredentials(), args);
  if (!out->channel->WaitForConnected(std::chrono::system_clock::now() +
                                      std::chrono::seconds(10))) {
    return ::testing::AssertionFailure() << "cannot dial " << target;
  }
  return ::testing::AssertionSuccess();
}

void LaunchedPluginTest::SetUp() {
  ASSERT_TRUE(LaunchPlugin(executable_, GrafanaPluginEnv(dir_.path()),
                           dir_.path(), &plugin_));
  stream_ = pluginv2::Stream::NewStub(plugin_.channel);
}

grpc::Status LaunchedPluginTest::RunToEnd(const std::string& path,
                                          std::vector<std::string>* packets) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + run_deadline_);
  pluginv2::RunStreamRequest req;
  req.set_path(path);
  auto reader = stream_->RunStream(&ctx, req);
  pluginv2::StreamPacket packet;
  while (reader->Read(&packet)) packets->push_back(packet.data());
  return reader->Finish();
}

std::string LaunchedPluginTest::WaitForLogLine(const std::string& text) {
  std::string line;
  WaitUntil(
      [&] {
        const std::string log = plugin_.process->Stderr();
        const size_t at = log.find(text);
        if (at == std::string::npos) return false;
        const size_t start = log.rfind('\n', at);
        const size_t end = log.find('\n', at);
        line = log.substr(start == std::string::npos ? 0 : start + 1,
                          end == std::string::npos ? end : end - start - 1);
        return true;
      },
      std::chrono::milliseconds(10000));
  return line;
}

}  // namespace runnel::testing
