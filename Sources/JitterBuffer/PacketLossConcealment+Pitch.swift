extension PacketLossConcealment {
    /// The pitch period of the newest audio: the lag in `minPitch...maxPitch` with the largest normalized
    /// cross-correlation `c(p)^2 / e(p)` (positive `c` only) between the last 20 ms and the same length
    /// `p` samples earlier. A coarse pass on even lags using every other sample finds the region; a full
    /// resolution pass at the best lag ±1 refines it. Silence or noise with no positive correlation gives
    /// the longest period, which sounds least buzzy.
    func estimatePitch() -> Int {
        line.withUnsafeBufferPointer { samples in
            let target = samples.count - correlationWindow
            var best = maxPitch
            var bestScore: Float = 0
            for lag in stride(from: minPitch, through: maxPitch, by: 2) {
                let score = correlationScore(samples, target: target, lag: lag, step: 2)
                if score > bestScore {
                    bestScore = score
                    best = lag
                }
            }
            guard bestScore > 0 else { return maxPitch }
            var refined = best
            var refinedScore: Float = 0
            for lag in max(best - 1, minPitch)...min(best + 1, maxPitch) {
                let score = correlationScore(samples, target: target, lag: lag, step: 1)
                if score > refinedScore {
                    refinedScore = score
                    refined = lag
                }
            }
            return refined
        }
    }

    private func correlationScore(_ samples: UnsafeBufferPointer<Int16>, target: Int, lag: Int, step: Int) -> Float {
        var cross: Float = 0
        var energy: Float = 0
        var index = 0
        while index < correlationWindow {
            let current = Float(samples[target + index])
            let earlier = Float(samples[target - lag + index])
            cross += current * earlier
            energy += earlier * earlier
            index += step
        }
        guard cross > 0, energy > 0 else { return 0 }
        return cross * cross / energy
    }
}
