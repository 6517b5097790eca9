// LiveServerTest: the fixture of the tests that drive the Live server over
// real sockets: a Hub, and a Server on 127.0.0.1 at a free port (port 0)
// that TearDown shuts down and destroys. The server asks the host's scope
// routing (ScopeRouter), which hands ds/ and plugin/ channels to the test's
// handler, as the host wires it.
// Thread-safety: the test thread only.
#ifndef RUNNEL_TESTS_HOST_LIVE_LIVE_SERVER_FIXTURE_H_
#define RUNNEL_TESTS_HOST_LIVE_LIVE_SERVER_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "live/hub.h"
#include "live/last_message_store.h"
#include "live/live_config.h"
#include "live/server.h"
#include "stream/channel_router.h"

namespace runnel::host::testing {

class LiveServerTest : public ::testing::Test {
 protected:
  // 127.0.0.1, port 0, root_url http://localhost:3000/; the rest default.
  static LiveConfig TestConfig() {
    LiveConfig config;
    config.http_addr = "127.0.0.1";
    config.http_port = 0;
    config.root_url = "http://localhost:3000/";
    return config;
  }

  // The scope routing in front of `plugin_channels` (nullptr: none), kept
  // until the fixture ends.
  ScopeRouter* Scopes(ChannelHandler* plugin_channels) {
    scopes_ =
        std::make_unique<ScopeRouter>(plugin_channels, hub_, last_messages_);
    return scopes_.get();
  }

  // Starts the server; fails the test if it does not listen.
  void StartServer(const LiveConfig& config, ChannelHandler* plugin_channels) {
    server_ = std::make_unique<Server>(config, hub_, Scopes(plugin_channels));
    Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.message();
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  void TearDown() override {
    if (server_) {
      server_->Shutdown();
      server_.reset();
    }
  }

  Hub hub_;
  MemoryLastMessageStore last_messages_{100};
  std::unique_ptr<ScopeRouter> scopes_;  // outlives the server
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
};

}  // namespace runnel::host::testing

#endif  // RUNNEL_TESTS_HOST_LIVE_LIVE_SERVER_FIXTURE_H_
