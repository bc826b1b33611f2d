import re, sys
src = open('package/world.svg').read()
paths = re.findall(r'<path\s+d="([^"]*)"\s+aria-label="([^"]*)"\s+id="([^"]*)"', src)
tok = re.compile(r'[mz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?')
TOL = float(sys.argv[2])
def rdp(pts):
    if len(pts) < 3: return pts
    keep = [False]*len(pts); keep[0]=keep[-1]=True
    stack=[(0,len(pts)-1)]
    while stack:
        a,b=stack.pop()
        (x1,y1),(x2,y2)=pts[a],pts[b]
        dx,dy=x2-x1,y2-y1; L=(dx*dx+dy*dy)**0.5
        best,bi=0,None
        for i in range(a+1,b):
            px,py=pts[i]
            d=abs(dy*(px-x1)-dx*(py-y1))/L if L>0 else ((px-x1)**2+(py-y1)**2)**0.5
            if d>best: best,bi=d,i
        if bi is not None and best>TOL:
            keep[bi]=True; stack+=[(a,bi),(bi,b)]
    return [p for p,k in zip(pts,keep) if k]
out=[]; total=0
for d,name,cid in paths:
    toks=tok.findall(d)
    subs=[]; x=y=0.0; sx=sy=0.0; cur=None; first=False
    i=0
    while i<len(toks):
        t=toks[i]
        if t=='m': first=True; i+=1; continue
        if t=='z':
            subs.append(cur); cur=None; x,y=sx,sy; i+=1; continue
        x+=float(toks[i]); y+=float(toks[i+1]); i+=2
        if first: cur=[(x,y)]; sx,sy=x,y; first=False
        else: cur.append((x,y))
    if cur: subs.append(cur)
    res=[]; ex=ey=0.0
    for s in subs:
        s=rdp(s+[s[0]])[:-1] if len(s)>3 else s
        pts=[(round(px,1),round(py,1)) for px,py in s]
        seg=[]
        for j,(px,py) in enumerate(pts):
            ddx,ddy=round(px-ex,1),round(py-ey,1)
            if j>0 and ddx==0 and ddy==0: continue
            seg.append(('m' if j==0 else '')+'%g,%g'%(ddx,ddy)); ex,ey=px,py
        res.append(' '.join(seg)+'z')
        # after z, current point is subpath start
        ex,ey=pts[0]
    p=''.join(res); total+=len(p)
    out.append(f"{cid}\t{name}\t{p}")
open(sys.argv[1],'w').write("\n".join(out)+"\n"); print(len(out),total)
