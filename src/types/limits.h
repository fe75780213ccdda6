#pragma once

// Every size a decoder accepts is bounded by a constant named here. Tests and
// fuzz targets refer to these names, never to literal numbers.

#include <cstddef>
#include <cstdint>

namespace hyperscale::types::limits {

inline constexpr std::uint32_t kMaxShards = 1024;
inline constexpr std::uint32_t kMaxCommitteeSize = 1024;
/// Bounds total committee power so that 3 * power never overflows a u64.
inline constexpr std::uint64_t kMaxTotalVotingPower = std::uint64_t{1} << 60;

inline constexpr std::uint32_t kMaxTxsPerBlock = 4096;  // over all three tx sections
inline constexpr std::uint32_t kMaxCertificatesPerBlock = 4096;
inline constexpr std::uint32_t kMaxDeferralsPerBlock = 1024;
inline constexpr std::uint32_t kMaxAbortsPerBlock = 4096;
inline constexpr std::uint32_t kMaxProofsPerBlock = 4096;

inline constexpr std::uint32_t kMaxInstructionsPerTx = 64;
inline constexpr std::uint32_t kMaxSignersPerTx = 16;
inline constexpr std::uint64_t kMaxTxValidityWindowMs = 120'000;
inline constexpr std::uint32_t kMaxTxAttempt = 3;
inline constexpr std::size_t kMaxEncodedTxBytes = 64 * 1024;

inline constexpr std::uint32_t kMaxStateEntries = 1024;  // per provision / certificate
inline constexpr std::uint32_t kMaxSortKeyBytes = 256;
inline constexpr std::uint32_t kMaxSubstateValueBytes = 64 * 1024;

inline constexpr std::uint32_t kMaxMerkleProofDepth = 32;
inline constexpr std::size_t kMaxMessageBytes = 64 * 1024 * 1024;

}  // namespace hyperscale::types::limits
