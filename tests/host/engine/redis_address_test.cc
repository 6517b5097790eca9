#include "engine/redis_address.h"

#include <gtest/gtest.h>

namespace runnel::host {
namespace {

RedisAddress Parse(const std::string& text) {
  RedisAddress address;
  Status status = ParseRedisAddress(text, &address);
  EXPECT_TRUE(status.ok()) << text << ": " << status.message();
  return address;
}

std::string Error(const std::string& text) {
  RedisAddress address;
  Status status = ParseRedisAddress(text, &address);
  EXPECT_FALSE(status.ok()) << text << " was accepted";
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  return status.message();
}

TEST(RedisAddressTest, HostAndPort) {
  RedisAddress address = Parse("redis.local:6380");
  EXPECT_FALSE(address.sentinel);
  ASSERT_EQ(address.endpoints.size(), 1u);
  EXPECT_EQ(address.endpoints[0], (RedisEndpoint{"redis.local", 6380}));
  EXPECT_EQ(address.ToString(), "redis.local:6380");
}

TEST(RedisAddressTest, DefaultPort) {
  EXPECT_EQ(Parse("127.0.0.1").endpoints[0],
            (RedisEndpoint{"127.0.0.1", 6379}));
}

TEST(RedisAddressTest, Ipv6InBrackets) {
  EXPECT_EQ(Parse("[::1]:7000").endpoints[0], (RedisEndpoint{"::1", 7000}));
  EXPECT_EQ(Parse("[::1]").endpoints[0], (RedisEndpoint{"::1", 6379}));
  EXPECT_EQ(Parse("[::1]:7000").ToString(), "[::1]:7000");
}

TEST(RedisAddressTest, Sentinel) {
  RedisAddress address =
      Parse("sentinel://s1:26379,10.0.0.2:26380,s3/mymaster");
  EXPECT_TRUE(address.sentinel);
  EXPECT_EQ(address.master_name, "mymaster");
  ASSERT_EQ(address.endpoints.size(), 3u);
  EXPECT_EQ(address.endpoints[0], (RedisEndpoint{"s1", 26379}));
  EXPECT_EQ(address.endpoints[1], (RedisEndpoint{"10.0.0.2", 26380}));
  EXPECT_EQ(address.endpoints[2], (RedisEndpoint{"s3", 26379}));
  EXPECT_EQ(address.ToString(),
            "sentinel://s1:26379,10.0.0.2:26380,s3:26379/mymaster");
}

TEST(RedisAddressTest, SentinelOneEndpointIpv6) {
  RedisAddress address = Parse("sentinel://[::1]:26379/m");
  ASSERT_EQ(address.endpoints.size(), 1u);
  EXPECT_EQ(address.endpoints[0], (RedisEndpoint{"::1", 26379}));
}

TEST(RedisAddressTest, BadValuesSayWhatIsWrong) {
  EXPECT_NE(Error("").find("empty"), std::string::npos);
  EXPECT_NE(Error("host:").find("port"), std::string::npos);
  EXPECT_NE(Error("host:0").find("1..65535"), std::string::npos);
  EXPECT_NE(Error("host:65536").find("1..65535"), std::string::npos);
  EXPECT_NE(Error("host:12ab").find("port"), std::string::npos);
  EXPECT_NE(Error(":6379").find("empty host"), std::string::npos);
  EXPECT_NE(Error("::1:6379").find("brackets"), std::string::npos);
  EXPECT_NE(Error("[::1").find("]"), std::string::npos);
  EXPECT_NE(Error("[::1]6379").find("':'"), std::string::npos);
  EXPECT_NE(Error("redis://host:6379").find("scheme"), std::string::npos);
  EXPECT_NE(Error("host/x").find("character"), std::string::npos);
}

TEST(RedisAddressTest, BadSentinelValues) {
  EXPECT_NE(Error("sentinel://h:26379").find("master name"), std::string::npos);
  EXPECT_NE(Error("sentinel://h:26379/").find("master name is empty"),
            std::string::npos);
  EXPECT_NE(Error("sentinel:///m").find("no Sentinel"), std::string::npos);
  EXPECT_NE(Error("sentinel://h1,,h2/m").find("Sentinel endpoint"),
            std::string::npos);
  EXPECT_NE(Error("sentinel://h1:x/m").find("port"), std::string::npos);
  EXPECT_NE(Error("sentinel://h1/m/x").find("master name"), std::string::npos);
}

TEST(RedisAddressTest, ErrorNamesTheValue) {
  EXPECT_NE(Error("host:99999").find("\"host:99999\""), std::string::npos);
}

TEST(RedisAddressTest, FailureLeavesAddressUnchanged) {
  RedisAddress address = Parse("keep:1234");
  EXPECT_FALSE(ParseRedisAddress("bad:port", &address).ok());
  EXPECT_FALSE(ParseRedisAddress("sentinel://h/", &address).ok());
  EXPECT_EQ(address.endpoints[0], (RedisEndpoint{"keep", 1234}));
}

}  // namespace
}  // namespace runnel::host
