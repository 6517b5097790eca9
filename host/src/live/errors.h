// Centrifuge reply error codes (reply "error":{"code","message"}), from
// centrifuge v0.38 errors.go, plus the HTTP-status codes Grafana uses.
// Pure constants.
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
inline constexpr ReplyError kErrorUnauthorized{101, "unauthorized", false};
inline constexpr ReplyError kErrorUnknownChannel{102, "unknown channel", false};
inline constexpr ReplyError kErrorPermissionDenied{103, "permission denied",
                                                   false};
inline constexpr ReplyError kErrorMethodNotFound{104, "method not found",
                                                 false};
inline constexpr ReplyError kErrorAlreadySubscribed{105, "already subscribed",
                                                    false};
inline constexpr ReplyError kErrorLimitExceeded{106, "limit exceeded", false};
inline constexpr ReplyError kErrorBadRequest{107, "bad request", false};
inline constexpr ReplyError kErrorNotAvailable{108, "not available", false};
inline constexpr ReplyError kErrorTokenExpired{109, "token expired", false};
inline constexpr ReplyError kErrorExpired{110, "expired", false};
inline constexpr ReplyError kErrorTooManyRequests{111, "too many requests",
                                                  true};
inline constexpr ReplyError kErrorUnrecoverablePosition{
    112, "unrecoverable position", false};

// Grafana's HTTP-status codes (permanent to centrifuge-js).
inline constexpr ReplyError kErrorInvalidChannel{400, "invalid channel ID",
                                                 false};
inline constexpr ReplyError kErrorForbidden{403, "Forbidden", false};
inline constexpr ReplyError kErrorNotFound{404, "Not Found", false};
inline constexpr ReplyError kErrorHandler{500, "Internal Server Error", false};

}  // namespace runnel::host

#endif  // RUNNEL_HOST_LIVE_ERRORS_H_
