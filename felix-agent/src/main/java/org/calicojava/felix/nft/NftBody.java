package org.calicojava.felix.nft;

/**
 * A shared endpoint chain body ({@code cali-tw/HASH}, {@code cali-fw/HASH}) of {@link NftModel} and how many endpoint
 * chains go to it; owned by the model's thread.
 */
final class NftBody {
    private final NftChain chain;
    int users;

    NftBody(NftChain chain) {
        this.chain = chain;
    }

    NftChain chain() {
        return chain;
    }
}
