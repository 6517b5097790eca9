// Runs a libFuzzer-style LLVMFuzzerTestOneInput without libFuzzer, so the
// fuzz targets build and run with GCC too. With file arguments it replays
// each file once; without, it feeds deterministic pseudo-random inputs glued
// from tokens that matter to the parsers (RUNNEL_FUZZ_ITERATIONS, default
// 20000). A target reports a bug by aborting.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int Replay(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "cannot read %s\n", argv[i]);
      return 2;
    }
    std::stringstream bytes;
    bytes << in.rdbuf();
    std::string input = bytes.str();
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()),
                           input.size());
  }
  return 0;
}

int RandomRun() {
  static const std::string kTokens[] = {"/",
                                        "a",
                                        "Z",
                                        "0",
                                        "1",
                                        "9",
                                        "-",
                                        "_",
                                        ".",
                                        "=",
                                        ",",
                                        " ",
                                        "[",
                                        "]",
                                        "^",
                                        "`",
                                        "{",
                                        "}",
                                        "\"",
                                        "\\",
                                        ":",
                                        "\n",
                                        "\t",
                                        "true",
                                        "false",
                                        "null",
                                        "1e5",
                                        "-0.5",
                                        "0.1e-3",
                                        "\\u00e9",
                                        "\\n",
                                        "\xC3\xA9",
                                        "\xE2\x80\xA8",
                                        "\xF0\x9F\x98\x80",
                                        "\xFF",
                                        "\xED\xA0\x80",
                                        "plugin/testdata/",
                                        "ds/uid/",
                                        "grafana/dashboard/",
                                        "1/",
                                        "0/",
                                        "\"typeVersion\":[0,0]",
                                        "\"type\":\"x\"",
                                        "{\"a\":1}",
                                        "[[[",
                                        "]]]",
                                        std::string(150, 'x')};
  const char* env = std::getenv("RUNNEL_FUZZ_ITERATIONS");
  long iterations = env != nullptr ? std::atol(env) : 20000;
  std::mt19937_64 rng(0x52554e4e454cull);  // fixed: runs are repeatable
  std::string input;
  for (long i = 0; i < iterations; ++i) {
    input.clear();
    size_t tokens = rng() % 24;
    for (size_t t = 0; t < tokens; ++t) {
      if (rng() % 8 == 0) {
        input.push_back(static_cast<char>(rng()));  // any byte at all
      } else {
        input += kTokens[rng() % std::size(kTokens)];
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()),
                           input.size());
  }
  std::printf("%ld inputs, no failure\n", iterations);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return argc > 1 ? Replay(argc, argv) : RandomRun();
}
