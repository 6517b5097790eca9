// Centrifuge reply error codes (reply "error":{"code","message"}), from
// centrifuge v0.38 errors.go, plus the HTTP-status codes Grafana uses.
// Pure constants.
// Only the codes the host sends are here; the whole table, with what
// centrifuge-js does with each, is in docs/live-protocol.md#error-codes.
#ifndef RUNNEL_HOST_LIVE_ERRORS_H_
#define RUNNEL_HOST_LIVE_ERRORS_H_

#include <cstdint>
#include <string_view>

namespace runnel::host {

struct ReplyError {
  int32_t code;
  std::string_view message;
  bool temporary;  // the client retries temporary errors
};

// Library codes (0-399).
inline constexpr ReplyError kErrorInternal{100, "internal server error", true};
inline constexpr ReplyError kErrorPermissionDenied{103, "permission denied",
                                                   false};
inline constexpr ReplyError kErrorMethodNotFound{104, "method not found",
                                                 false};
inline constexpr ReplyError kErrorAlreadySubscribed{105, "already subscribed",
                                                    false};
inline constexpr ReplyError kErrorLimitExceeded{106, "limit exceeded", false};
inline constexpr ReplyError kErrorBadRequest{107, "bad request", false};
inline constexpr ReplyError kErrorNotAvailable{108, "not available", false};
inline constexpr ReplyError kErrorTooManyRequests{111, "too many requests",
                                                  true};

// Grafana's HTTP-status codes (permanent to centrifuge-js).
inline constexpr ReplyError kErrorInvalidChannel{400, "invalid channel ID",
                                                 false};
inline constexpr ReplyError kErrorForbidden{403, "Forbidden", false};
inline constexpr ReplyError kErrorNotFound{404, "Not Found", false};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_ERRORS_H_
