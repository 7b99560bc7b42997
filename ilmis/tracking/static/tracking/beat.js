// R11.4 active time: a beat every 30 s while the tab is visible and the learner is active.
(function(){"use strict";var b=document.getElementById("tracking-beat");if(!b||!window.FormData)return;
var d=b.dataset,c=window.crypto,t=c&&c.randomUUID?c.randomUUID():"xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx".replace(/x/g,function(){return(Math.random()*16|0).toString(16)}),
n=0,last=Date.now(),left=0,ms=1e3*(+d.interval||30);
["pointerdown","pointermove","keydown","scroll","wheel","touchstart"].forEach(function(e){addEventListener(e,function(){last=Date.now()},{passive:true,capture:true})});
function playing(){var m=document.querySelectorAll("video,audio"),i;for(i=0;i<m.length;i++)if(!m[i].paused&&!m[i].ended)return true;return false}
function busy(){return Date.now()-last<6e4||playing()}
function body(){var f=new FormData();f.append("csrfmiddlewaretoken",d.csrf);f.append("token",d.token);f.append("tab",t);f.append("seq",++n);return f}
var timer=setInterval(function(){if(document.visibilityState!=="visible"||!busy())return;
fetch(d.url,{method:"POST",body:body(),credentials:"same-origin"}).then(function(r){if(r.status==403||r.status==410)clearInterval(timer);return r.status==200?r.json():0}).then(function(j){if(j&&j.token)d.token=j.token}).catch(function(){})},ms);
function bye(){if(busy()&&!left&&navigator.sendBeacon){left=1;navigator.sendBeacon(d.url,body())}}
addEventListener("pagehide",bye);addEventListener("pageshow",function(){left=0});
document.addEventListener("visibilitychange",function(){if(document.visibilityState==="hidden")bye();else left=0});
})();
